use typact::prelude::*;

struct Buffer<const N: usize> {
    bytes: [u8; N],
}

#[actor]
impl<const N: usize> Buffer<N> {
    #[handler]
    fn len(&self) -> usize {
        self.bytes.len()
    }
}

fn main() {}
