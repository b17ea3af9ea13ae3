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

/// End of the run of ASCII letters in `bytes` from `i` (`i` itself when `bytes[i]` is not one),
/// looked at 8 bytes at a time: words are most of a text's bytes.
#[inline]
pub fn ascii_letters_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let non = non_letters(u64::from_le_bytes(w));
        if non != 0 {
            return i + (non.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
        i += 1;
    }
    i
}

/// Bit `i` set for each byte `i` of `w` that is 1 (every byte of `w` must be 0 or 1): the
/// multiply gathers byte `i`'s bit at bit `56 + i`, and its partial sums never carry.
#[inline]
pub fn byte_flags_to_bits(w: u64) -> u8 {
    (w.wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

/// The high bit of every byte of `w` that is not an ASCII letter.
#[inline]
fn non_letters(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // folded to lower case, high bits cleared so that the additions below never carry across
    // bytes; a byte's high bit is then set when it is >= 'a' (resp. > 'z')
    let x = (w | 0x2020_2020_2020_2020) & !HI;
    let ge_a = x + LO * (0x80 - b'a' as u64);
    let gt_z = x + LO * (0x80 - b'z' as u64 - 1);
    !(ge_a & !gt_z & !w) & HI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_flags_to_bits_sets_bit_i_for_byte_i() {
        for bits in 0..=255u8 {
            let w = (0..8).fold(0u64, |w, i| w | u64::from(bits >> i & 1) << (8 * i));
            assert_eq!(byte_flags_to_bits(w), bits);
        }
    }

    #[test]
    fn ascii_letters_end_matches_a_byte_loop_for_every_byte() {
        let naive = |b: &[u8], mut i: usize| {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            i
        };
        for stop in 0..=255u8 {
            for at in 0..20 {
                let mut b = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec();
                b[at] = if stop.is_ascii_alphabetic() {
                    b'x'
                } else {
                    stop
                };
                for from in 0..b.len() {
                    assert_eq!(
                        ascii_letters_end(&b, from),
                        naive(&b, from),
                        "{stop} {at} {from}"
                    );
                }
            }
        }
        let text = "Hello, wörld! `@[{ AZaz 0123 é";
        for from in 0..=text.len() {
            assert_eq!(
                ascii_letters_end(text.as_bytes(), from),
                naive(text.as_bytes(), from)
            );
        }
    }
}
