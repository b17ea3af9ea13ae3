//! Small text helpers shared by the stages.

/// Call `f` with `s.to_lowercase()`, without allocating for short ASCII words.
#[inline]
pub fn with_lower<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    if s.is_ascii() && s.len() <= 32 {
        let mut buf = [0u8; 32];
        let b = &mut buf[..s.len()];
        b.copy_from_slice(s.as_bytes());
        b.make_ascii_lowercase();
        // ASCII stays valid UTF-8
        f(std::str::from_utf8(b).unwrap_or(s))
    } else {
        f(&s.to_lowercase())
    }
}
