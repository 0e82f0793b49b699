//! A tree's nodes in one table, in document order, read in one walk.
//!
//! A step of tree-sitter's cursor costs a few hundred instructions, and `Node::parent` descends
//! from the root on every call. The matcher, the Output facts and the predicates on them look at
//! the same nodes, their children and their ancestors many times over, so they look here: a
//! node's children are a slice, its parent and its subtree are indices.

use super::{Grammar, PerGrammar};
use std::cell::Cell;
use std::num::NonZeroU16;
use std::marker::PhantomData;
use tree_sitter::{Node, Tree, ffi};

/// A node's place in its [`NodeTable`].
pub type Slot = u32;

/// The root's parent.
const NO_PARENT: Slot = Slot::MAX;

/// What the table knows of a node, kept small (40 bytes on 64-bit targets): a large file has
/// tens of thousands of nodes, and the table is written whole and read over several times.
/// Byte offsets are `u32`, as tree-sitter keeps them. `read_tree.c` writes these: the layout is
/// shared with its `PulumiFixEntry`.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Entry {
    /// tree-sitter's subtree: with the position and alias, what a `TSNode` of the tree holds.
    subtree: *const std::ffi::c_void,
    row: u32,
    column: u32,
    pub start_byte: u32,
    pub end_byte: u32,
    parent: Slot,
    /// One past the slot of the node's last descendant: its subtree is `slot..end`.
    pub end: Slot,
    pub kind_id: u16,
    /// The field the node is in, in its parent, as a tree cursor gives it (0: none).
    field_id: u16,
    /// The symbol the node is aliased to in its parent (0: none), as a `TSNode` keeps it.
    alias: u16,
    pub named: bool,
}

const _: () = assert!(std::mem::size_of::<Entry>() == 40, "laid out as read_tree.c's PulumiFixEntry");

unsafe extern "C" {
    /// Writes the nodes of `tree` to `entries` in document order and returns how many;
    /// `u32::MAX` when there are more than `capacity` or memory ran out (see `read_tree.c`).
    fn pulumi_fix_read_tree(tree: *const ffi::TSTree, entries: *mut Entry, capacity: u32) -> u32;
}

pub struct NodeTable<'t> {
    buffers: Buffers,
    /// The tree the nodes are of, which every node refers to.
    tree: *const ffi::TSTree,
    tree_lifetime: PhantomData<&'t Tree>,
    /// The grammar's node kind names by id.
    kinds: &'static [&'static str],
    /// The slots of nodes made lately, by their subtree: the predicates ask the slot of nodes
    /// the matcher just made, and this spares them a search.
    recent: [Cell<RecentNode>; RECENT_NODES],
}

/// A node made by [`NodeTable::node`]: its subtree and start (which tell it from every other
/// node of its tree) and its slot.
#[derive(Clone, Copy, Default)]
struct RecentNode {
    subtree: usize,
    start_byte: u32,
    slot: Slot,
}

const RECENT_NODES: usize = 64;

/// A node's place among the recent nodes.
fn recent_place(subtree: usize) -> usize {
    // Subtrees are at least 8-byte aligned.
    (subtree >> 3) % RECENT_NODES
}

/// A table's arrays. A thread's last table hands them on to its next one: allocated afresh, each
/// file's table would land at new addresses (its size class changes with the file's size), out
/// of the CPU's caches, and writing it would cost a cache miss every few entries.
#[derive(Default)]
struct Buffers {
    entries: Vec<Entry>,
    /// Every node's children, each node's together: `children[first_child[s]..first_child[s + 1]]`.
    children: Vec<Slot>,
    first_child: Vec<Slot>,
}

/// A table's arrays kept for the next: not [`Buffers`], whose drop would keep them again.
type SpareArrays = (Vec<Entry>, Vec<Slot>, Vec<Slot>);

thread_local! {
    static SPARE_BUFFERS: Cell<Option<SpareArrays>> = const { Cell::new(None) };
}

/// The largest table whose buffers a thread keeps for the next (2.5 MB): one very large file
/// does not hold its memory for the rest of the run.
const MAX_SPARE_ENTRIES: usize = 1 << 16;

impl Buffers {
    /// The thread's spare buffers, emptied, or new ones.
    fn take() -> Buffers {
        let (mut entries, mut children, mut first_child) = SPARE_BUFFERS.take().unwrap_or_default();
        entries.clear();
        children.clear();
        first_child.clear();
        Buffers { entries, children, first_child }
    }

    /// Lays out the children lists, each node's in turn: its first child is the next slot, and
    /// each child's subtree ends where its next sibling starts.
    fn lay_out_children(&mut self) {
        let Buffers { entries, children, first_child } = self;
        first_child.reserve(entries.len() + 1);
        children.reserve(entries.len().saturating_sub(1));
        for (slot, entry) in entries.iter().enumerate() {
            first_child.push(children.len() as Slot);
            let mut child = slot as Slot + 1;
            while child < entry.end {
                children.push(child);
                child = entries[child as usize].end;
            }
        }
        first_child.push(children.len() as Slot);
    }
}

impl Drop for Buffers {
    fn drop(&mut self) {
        if self.entries.capacity() > MAX_SPARE_ENTRIES {
            return;
        }
        let buffers = (std::mem::take(&mut self.entries), std::mem::take(&mut self.children), std::mem::take(&mut self.first_child));
        // A thread that is ending has no spare to keep.
        let _ = SPARE_BUFFERS.try_with(|spare| spare.set(Some(buffers)));
    }
}

impl<'t> NodeTable<'t> {
    /// Reads every node of `tree` (named or not), depth first.
    pub fn build(grammar: Grammar, tree: &'t Tree) -> NodeTable<'t> {
        let count = tree.root_node().descendant_count();
        let mut buffers = Buffers::take();
        let entries = &mut buffers.entries;
        entries.reserve(count);
        let capacity = u32::try_from(count).expect("a tree-sitter tree has fewer than 2^32 nodes");
        // SAFETY: the reader writes at most `capacity` entries to the vector's spare room and
        // returns how many it wrote; the tree outlives the entries ('t).
        let raw_tree = tree.root_node().into_raw().tree;
        let written = unsafe { pulumi_fix_read_tree(raw_tree, entries.as_mut_ptr(), capacity) };
        assert_eq!(written, capacity, "read_tree.c read as many nodes as tree-sitter counts");
        // SAFETY: the first `count` entries were written.
        unsafe { entries.set_len(count) };
        buffers.lay_out_children();
        NodeTable { buffers, tree: raw_tree, tree_lifetime: PhantomData, kinds: kind_names(grammar), recent: std::array::from_fn(|_| Cell::default()) }
    }

    pub fn len(&self) -> usize {
        self.buffers.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buffers.entries.is_empty()
    }

    pub fn entry(&self, slot: Slot) -> &Entry {
        &self.buffers.entries[slot as usize]
    }

    pub fn node(&self, slot: Slot) -> Node<'t> {
        let entry = &self.buffers.entries[slot as usize];
        let raw = ffi::TSNode { context: [entry.start_byte, entry.row, entry.column, u32::from(entry.alias)], id: entry.subtree, tree: self.tree };
        self.recent[recent_place(entry.subtree as usize)].set(RecentNode { subtree: entry.subtree as usize, start_byte: entry.start_byte, slot });
        // SAFETY: read_tree.c read these from a node of this tree as tree-sitter builds it; the
        // tree outlives 't.
        unsafe { Node::from_raw(raw) }
    }

    pub fn children(&self, slot: Slot) -> &[Slot] {
        &self.buffers.children[self.buffers.first_child[slot as usize] as usize..self.buffers.first_child[slot as usize + 1] as usize]
    }

    /// The field the node at `slot` is in, in its parent, as a tree cursor gives it.
    pub fn field(&self, slot: Slot) -> Option<NonZeroU16> {
        NonZeroU16::new(self.buffers.entries[slot as usize].field_id)
    }

    /// The first child of `slot` in `field`, as `Node::child_by_field_id` finds it, without
    /// asking tree-sitter.
    pub fn child_in_field(&self, slot: Slot, field: Option<NonZeroU16>) -> Option<Slot> {
        let field = field?;
        self.children(slot).iter().copied().find(|&child| self.field(child) == Some(field))
    }

    /// The first named child of `slot` (comments count), as `Node::named_child(0)` finds it.
    pub fn first_named_child(&self, slot: Slot) -> Option<Slot> {
        self.children(slot).iter().copied().find(|&child| self.buffers.entries[child as usize].named)
    }

    /// `node.kind_name()`, without asking tree-sitter again.
    pub fn kind(&self, slot: Slot) -> &'static str {
        name_of(self.kinds, self.buffers.entries[slot as usize].kind_id)
    }

    pub fn parent(&self, slot: Slot) -> Option<Slot> {
        let parent = self.buffers.entries[slot as usize].parent;
        (parent != NO_PARENT).then_some(parent)
    }

    /// The parent of `node`: from the table for a node of its tree, else as tree-sitter finds it
    /// (descending from the root).
    pub fn parent_of(&self, node: Node<'t>) -> Option<Node<'t>> {
        match self.slot_of(node) {
            Some(slot) => self.parent(slot).map(|parent| self.node(parent)),
            None => node.parent(),
        }
    }

    /// The slots of `slot`'s ancestors, innermost first.
    pub fn ancestors(&self, slot: Slot) -> impl Iterator<Item = Slot> + '_ {
        std::iter::successors(self.parent(slot), |&s| self.parent(s))
    }

    /// The slot of `node`, a node of this table's tree; `None` for a node of another tree.
    pub fn slot_of(&self, node: Node) -> Option<Slot> {
        let raw = node.into_raw();
        let recent = self.recent[recent_place(raw.id as usize)].get();
        if recent.subtree == raw.id as usize && recent.start_byte == raw.context[0] && raw.tree == self.tree {
            return Some(recent.slot);
        }
        // Document order sorts the nodes by their start and, among those starting together (a
        // node and its first descendants, as in a long `a.b.c...` chain), by their end, the outer
        // first; of the few with `node`'s very span, one is `node`. Only zero-width nodes could
        // break that order, so the nodes starting with `node` are searched if it fails.
        let (start, end, id) = (raw.context[0], node.end_byte() as u32, raw.id as usize);
        let first = self.buffers.entries.partition_point(|e| (e.start_byte, std::cmp::Reverse(e.end_byte)) < (start, std::cmp::Reverse(end)));
        let same_span = self.buffers.entries[first..].iter().take_while(|e| e.start_byte == start && e.end_byte == end).position(|e| e.subtree as usize == id);
        let found = same_span.map(|i| first + i).or_else(|| {
            let first = self.buffers.entries.partition_point(|e| e.start_byte < start);
            self.buffers.entries[first..].iter().take_while(|e| e.start_byte == start).position(|e| e.subtree as usize == id).map(|i| first + i)
        });
        found.map(|slot| slot as Slot)
    }
}

/// Node kinds of one grammar, named, to test kind ids against: a scan of a table asks it of
/// every node.
pub struct KindSet(Vec<bool>);

impl KindSet {
    pub fn of(grammar: Grammar, names: &[&str]) -> KindSet {
        KindSet(kind_names(grammar).iter().map(|name| names.contains(name)).collect())
    }

    pub fn contains(&self, kind_id: u16) -> bool {
        self.0.get(usize::from(kind_id)).copied().unwrap_or(false)
    }
}

/// The name of error nodes, whose kind id is past the grammar's.
const ERROR: &str = "ERROR";

/// The name of kind `kind_id` in `grammar`, as `Node::kind` gives it.
pub(super) fn kind_name(grammar: Grammar, kind_id: u16) -> &'static str {
    name_of(kind_names(grammar), kind_id)
}

/// The name of kind `kind_id` among a grammar's kind names (`kind_names`).
fn name_of(kinds: &[&'static str], kind_id: u16) -> &'static str {
    kinds.get(usize::from(kind_id)).copied().unwrap_or(ERROR)
}

/// Each grammar's node kind names by id, read from the grammar once per run.
fn kind_names(grammar: Grammar) -> &'static [&'static str] {
    static NAMES: PerGrammar<Vec<&'static str>> = PerGrammar::new();
    NAMES.get(grammar, || {
        let language = grammar.ts_language();
        (0..language.node_kind_count() as u16).map(|id| language.node_kind_for_id(id).unwrap_or("")).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{KindName, parse};

    /// The table holds what tree-sitter's own navigation answers, for every node: of a few
    /// sources chosen for aliases, extras among children, zero-width and error nodes, in every
    /// grammar, and of every fixture file.
    #[test]
    fn agrees_with_tree_sitter() {
        let sources = [
            (Grammar::Python, "import pulumi\nb = aws.s3.Bucket('b', tags={'a': f\"{x}-y\"})  # c\nif b:\n    pass\n".to_string()),
            (Grammar::TypeScript, "const b = new aws.s3.Bucket(\"b\", /* c */ { tags: { a: `${x}` } });\nexport const n = b?.id!;\n".to_string()),
            (Grammar::Tsx, "const e = <div a={b.id}>{x.apply(v => v)}</div>;\n".to_string()),
            (Grammar::Yaml, "resources:\n  b: # c\n    type: aws:s3:Bucket\n    properties: { tags: [a, \"${x}\"] }\n".to_string()),
            (Grammar::Python, "def f(:\n  x = (1,\n".to_string()),
            (Grammar::TypeScript, "const x = f(a,\n".to_string()),
            // Deeper than the reader's first stack of frames.
            (Grammar::Python, format!("x = {}1{}\n", "(".repeat(300), ")".repeat(300))),
            (Grammar::TypeScript, format!("const x = {}1{};\n", "[".repeat(300), "]".repeat(300))),
        ];
        let fixtures = fixture_files().into_iter().filter_map(|path| Some((Grammar::for_path(&path)?, std::fs::read_to_string(&path).ok()?)));
        let mut files = 0;
        for (grammar, source) in sources.into_iter().chain(fixtures) {
            agrees_on(grammar, &source);
            files += 1;
        }
        assert!(files > 50, "the fixtures were found ({files} files read)");
    }

    fn agrees_on(grammar: Grammar, source: &str) {
        let tree = parse(grammar, source);
        let table = NodeTable::build(grammar, &tree);
        // A second table of the tree, whose own nodes are never made: it finds each slot by search.
        let searching = NodeTable::build(grammar, &tree);
        let mut cursor = tree.walk();
        let mut count = 0;
        for slot in 0..table.len() as Slot {
            let entry = table.entry(slot);
            let node = table.node(slot);
            assert_eq!(table.slot_of(node), Some(slot));
            assert_eq!(searching.slot_of(node), Some(slot));
            assert_eq!(node.kind_name(), node.kind());
            assert_eq!((table.kind(slot), entry.named, entry.start_byte as usize, entry.end_byte as usize), (node.kind(), node.is_named(), node.start_byte(), node.end_byte()));
            assert_eq!(table.parent(slot).map(|p| table.node(p)), node.parent(), "{source}: parent of {node:?}");
            let children: Vec<Node> = node.children(&mut cursor).collect();
            assert_eq!(table.children(slot).iter().map(|&c| table.node(c)).collect::<Vec<_>>(), children);
            for (i, &child) in table.children(slot).iter().enumerate() {
                let mut walk = node.walk();
                assert!(walk.goto_first_child());
                (0..i).for_each(|_| assert!(walk.goto_next_sibling()));
                assert_eq!(table.field(child), walk.field_id(), "{source}: field of {:?}", table.node(child));
                assert_eq!(table.node(child).start_position(), walk.node().start_position(), "{source}: position of {:?}", table.node(child));
                if i == 0 {
                    assert_eq!(table.first_named_child(slot).map(|c| table.node(c)), node.named_child(0), "{source}: first named child of {node:?}");
                }
                if let Some(field) = table.field(child) {
                    assert_eq!(table.child_in_field(slot, Some(field)).map(|c| table.node(c)), node.child_by_field_id(field.get()), "{source}: field {field} of {node:?}");
                }
            }
            let descendants = (slot + 1..entry.end).count();
            assert_eq!(descendants, node.descendant_count() - 1);
            count += 1;
        }
        assert_eq!(count, tree.root_node().descendant_count());
    }

    fn fixture_files() -> Vec<std::path::PathBuf> {
        let mut pending = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
        let mut files = Vec::new();
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files
    }
}
