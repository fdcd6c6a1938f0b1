//! A handler with many parameters of various owned types: one `pub` field
//! each, in order, and a client method with the same parameters.
use std::collections::BTreeMap;
use std::sync::Arc;

use typact::prelude::*;

#[derive(Default)]
struct Store {
    rows: Vec<String>,
}

#[actor]
impl Store {
    #[allow(clippy::too_many_arguments)]
    #[handler]
    fn insert(
        &mut self,
        id: u64,
        name: String,
        tags: Vec<&'static str>,
        score: Option<f32>,
        pair: (u8, char),
        shared: Arc<str>,
        extra: BTreeMap<String, i64>,
    ) -> usize {
        self.rows.push(format!(
            "{id} {name} {tags:?} {score:?} {pair:?} {shared} {}",
            extra.len()
        ));
        self.rows.len()
    }

    #[handler]
    fn row(&self, index: usize) -> Option<String> {
        self.rows.get(index).cloned()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let store = Store::default().spawn();
    let n = store
        .ask(Insert {
            id: 1,
            name: "a".to_owned(),
            tags: vec!["x", "y"],
            score: Some(0.5),
            pair: (2, 'z'),
            shared: Arc::from("s"),
            extra: BTreeMap::new(),
        })
        .await?;
    assert_eq!(n, 1);
    let n = store
        .insert(
            2,
            "b".to_owned(),
            vec![],
            None,
            (0, 'q'),
            Arc::from("t"),
            BTreeMap::new(),
        )
        .await?;
    assert_eq!(n, 2);
    assert_eq!(
        store.row(0).await?.as_deref(),
        Some(r#"1 a ["x", "y"] Some(0.5) (2, 'z') s 0"#)
    );
    Ok(())
}
