fn main() {
    println!("newsextract: under construction");
}
