use typact::prelude::*;

#[derive(Default)]
struct Store<T> {
    items: Vec<T>,
}

#[actor]
impl<T: Send + 'static> Store<T> {
    #[handler]
    fn len(&self) -> usize {
        self.items.len()
    }
}

fn main() {}
