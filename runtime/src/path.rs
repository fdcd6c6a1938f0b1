//! [`ActorPath`]: where an actor sits in the supervision tree.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

/// The path of an actor through the supervision tree: `/app/ui/counter-1`.
///
/// A path starts at a named root supervisor (`/app`, from
/// `Supervisor::builder().name("app")`); each named child below an actor
/// with a path adds its name as a segment, whether a supervisor added it
/// ([`ChildBuilder::name`](crate::ChildBuilder::name)) or its parent
/// spawned it ([`Context::spawn_with`](crate::Context::spawn_with) with a
/// named builder). Actors outside that tree (spawned on their own, or
/// without a name) have no path. A path is unique among live actors, kept
/// across restarts (the actor keeps its cell), freed when the actor stops
/// for good, and shown in the actor's `Display`, so in logs and errors.
/// [`Registry::lookup_path`](crate::Registry::lookup_path) finds the actor
/// at a path.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[derive(Default)]
/// struct Counter;
/// #[actor]
/// impl Counter {
///     #[handler]
///     fn get(&self) -> u64 { 0 }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let ui = Supervisor::builder().name("ui-doc");
/// let counter = ui.child(Counter::default).name("counter-1").add();
/// let app = Supervisor::builder().name("app-doc");
/// app.child(ui.into_factory()).name("ui").add();
/// let app = app.spawn().await?;
///
/// let path = counter.path().expect("a named child of a named tree");
/// assert_eq!(path, "/app-doc/ui/counter-1");
/// assert_eq!(path.name(), "counter-1");
/// assert_eq!(path.parent().as_deref(), Some("/app-doc/ui"));
/// assert_eq!(app.path().map(|p| p.as_str()), Some("/app-doc"));
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorPath(Arc<str>);

impl ActorPath {
    /// The path of a root: `/name`.
    pub(crate) fn root(name: &str) -> Self {
        ActorPath(format!("/{name}").into())
    }

    /// The path of a child named `name` below this one.
    pub(crate) fn child(&self, name: &str) -> Self {
        ActorPath(format!("{}/{name}", self.0).into())
    }

    /// Whether `name` can be a segment of a path: not empty, no `/`.
    pub(crate) fn is_segment(name: &str) -> bool {
        !name.is_empty() && !name.contains('/')
    }

    /// The path as text, `/app/ui/counter-1`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last segment: the actor's own name.
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or_default()
    }

    /// The path of the parent, or `None` for a root.
    pub fn parent(&self) -> Option<String> {
        let cut = self.0.rfind('/')?;
        (cut > 0).then(|| self.0[..cut].to_owned())
    }

    /// The segments from the root down: `["app", "ui", "counter-1"]`.
    pub fn segments(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.split('/').skip(1)
    }

    /// How many segments the path has: 1 for a root.
    pub fn depth(&self) -> usize {
        self.segments().count()
    }
}

impl fmt::Display for ActorPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ActorPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorPath({:?})", &*self.0)
    }
}

impl AsRef<str> for ActorPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for ActorPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for ActorPath {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for ActorPath {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl<A: crate::Actor> crate::ActorRef<A> {
    /// The actor's path in the supervision tree, if it has one (see
    /// [`ActorPath`]): a named actor below a named supervisor.
    pub fn path(&self) -> Option<&ActorPath> {
        self.cell().path()
    }
}
