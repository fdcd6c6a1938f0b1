use typact::prelude::*;

struct Borrower<'a> {
    name: &'a str,
}

#[actor]
impl<'a> Borrower<'a> {
    #[handler]
    fn name(&self) -> String {
        self.name.to_owned()
    }
}

fn main() {}
