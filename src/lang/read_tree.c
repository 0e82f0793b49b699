/*
 * Reads every node of a tree into the node table (src/lang/nodes.rs) in one pass over
 * tree-sitter's own subtrees.
 *
 * Why: tree-sitter's public navigation (`ts_node_child`, cursors) re-derives each node's place
 * on every step, which cost about 690 instructions per node; walking the subtrees directly costs
 * about 130. Why C: the walk reads tree-sitter's private layout (subtree.h, tree.h), and written
 * against tree-sitter's own headers it is compiled with the very layout of the library it reads.
 * The tree-sitter version is pinned in Cargo.toml, and `lang::nodes::tests` checks every node
 * read here against tree-sitter's public navigation.
 *
 * A node here is what `ts_node_child` yields: a subtree that is visible or aliased. Hidden
 * subtrees are descended into, their visible children becoming their nearest visible ancestor's,
 * as `ts_node_child` does; `ts_node_child` skips a hidden subtree without visible children.
 * A node's field is the one a tree cursor gives it: its own place in its parent's production
 * names it, or else the place of the hidden subtrees between it and its visible parent does,
 * the innermost first; an extra (a comment) has none.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "language.h"
#include "length.h"
#include "subtree.h"
#include "tree.h"

/* One node, as `lang::nodes::Entry` lays it out (repr(C)): with the tree, the subtree, position
 * and alias are what a `TSNode` of it holds. */
typedef struct {
  const void *subtree;
  uint32_t row;
  uint32_t column;
  uint32_t start_byte;
  uint32_t end_byte;
  uint32_t parent;
  uint32_t end; /* one past the slot of the node's last descendant */
  uint16_t kind_id;
  uint16_t field_id;
  uint16_t alias;
  bool named;
} PulumiFixEntry;

_Static_assert(sizeof(PulumiFixEntry) == 40, "laid out as lang::nodes::Entry");

#define NO_PARENT UINT32_MAX
#define FAILED UINT32_MAX

/* A subtree whose children are being read. */
typedef struct {
  const Subtree *children;
  const TSSymbol *alias_sequence;
  const TSFieldMapEntry *fields; /* the field map of this subtree's production */
  const TSFieldMapEntry *fields_end;
  Length position; /* where the next child starts, before its padding */
  uint32_t child_count;
  uint32_t next_child;
  uint32_t structural_index; /* among the children that are not extras: the alias sequence's index */
  uint32_t owner;            /* slot of the nearest visible node at or above this subtree */
  TSFieldId inherited_field; /* a hidden subtree's field, which its children fall back on */
  bool visible;              /* whether this subtree is that node */
} Frame;

static void write_entry(PulumiFixEntry *entry, const TSTree *tree, const Subtree *subtree, Length position, TSSymbol alias, TSFieldId field, uint32_t parent, uint32_t slot) {
  const TSLanguage *language = tree->language;
  TSSymbol symbol = alias ? alias : ts_subtree_symbol(*subtree);
  entry->subtree = subtree;
  entry->row = position.extent.row;
  entry->column = position.extent.column;
  entry->start_byte = position.bytes;
  entry->end_byte = position.bytes + ts_subtree_size(*subtree).bytes;
  entry->parent = parent;
  entry->end = slot + 1;
  /* ts_language_public_symbol and ts_language_symbol_metadata, inline: an alias is never an error. */
  entry->kind_id = symbol == ts_builtin_sym_error ? symbol : language->public_symbol_map[symbol];
  entry->field_id = field;
  entry->alias = alias;
  entry->named = alias ? language->symbol_metadata[alias].named : ts_subtree_named(*subtree);
}

/* The field that a production gives its child at `structural_index`; 0 for none. */
static TSFieldId field_at(const TSFieldMapEntry *fields, const TSFieldMapEntry *fields_end, uint32_t structural_index) {
  for (const TSFieldMapEntry *entry = fields; entry < fields_end; entry++) {
    if (!entry->inherited && entry->child_index == structural_index) return entry->field_id;
  }
  return 0;
}

static Frame frame_of(const TSLanguage *language, const Subtree *subtree, Length position, uint32_t owner, TSFieldId inherited_field, bool visible) {
  const TSFieldMapEntry *fields, *fields_end;
  ts_language_field_map(language, subtree->ptr->production_id, &fields, &fields_end);
  return (Frame){
    .children = ts_subtree_children(*subtree),
    .alias_sequence = ts_language_alias_sequence(language, subtree->ptr->production_id),
    .fields = fields,
    .fields_end = fields_end,
    .position = position,
    .child_count = subtree->ptr->child_count,
    .next_child = 0,
    .structural_index = 0,
    .owner = owner,
    .inherited_field = inherited_field,
    .visible = visible,
  };
}

/*
 * Writes the nodes of `tree` to `entries` in document order (a node before its descendants) and
 * returns how many; FAILED when there are more than `capacity` or memory ran out.
 */
uint32_t pulumi_fix_read_tree(const TSTree *tree, PulumiFixEntry *entries, uint32_t capacity) {
  const TSLanguage *language = tree->language;
  if (capacity == 0) return FAILED;
  Length root_position = ts_subtree_padding(tree->root);
  write_entry(&entries[0], tree, &tree->root, root_position, 0, 0, NO_PARENT, 0);
  uint32_t written = 1;
  if (ts_subtree_child_count(tree->root) == 0) return written;

  /* The frames being read, innermost last: each stays in place while its subtree is read. What
   * changes as the innermost one is read (its next child, and where that child starts) is kept
   * in locals, and stored into the frame when a child's frame goes on top of it. */
  uint32_t stack_capacity = 64, depth = 0;
  Frame *stack = malloc(stack_capacity * sizeof(Frame));
  if (!stack) return FAILED;
  stack[0] = frame_of(language, &tree->root, root_position, 0, 0, true);
  Frame *frame = &stack[0];
  uint32_t next_child = 0, structural_index = 0;
  Length next_position = root_position;
  bool failed = false;
  for (;;) {
    if (next_child == frame->child_count) {
      if (frame->visible) entries[frame->owner].end = written;
      if (depth == 0) break;
      frame = &stack[--depth];
      next_child = frame->next_child;
      structural_index = frame->structural_index;
      next_position = frame->position;
      continue;
    }
    /* The child's place, alias and field, as `ts_node_child_iterator_next` and a cursor find them. */
    const Subtree *child = &frame->children[next_child];
    TSSymbol alias = 0;
    TSFieldId field = 0;
    if (!ts_subtree_extra(*child)) {
      if (frame->alias_sequence) alias = frame->alias_sequence[structural_index];
      field = field_at(frame->fields, frame->fields_end, structural_index);
      if (!field) field = frame->inherited_field;
      structural_index++;
    }
    if (next_child > 0) next_position = length_add(next_position, ts_subtree_padding(*child));
    Length position = next_position;
    next_position = length_add(next_position, ts_subtree_size(*child));
    next_child++;

    uint32_t child_count = ts_subtree_child_count(*child);
    uint32_t owner = frame->owner;
    bool visible = ts_subtree_visible(*child) || alias;
    if (visible) {
      if (written == capacity) {
        failed = true;
        break;
      }
      write_entry(&entries[written], tree, child, position, alias, field, frame->owner, written);
      owner = written++;
    }
    if (child_count == 0 || (!visible && child->ptr->visible_child_count == 0)) continue;
    if (depth + 1 == stack_capacity) {
      Frame *grown = realloc(stack, 2 * stack_capacity * sizeof(Frame));
      if (!grown) {
        failed = true;
        break;
      }
      stack = grown;
      stack_capacity *= 2;
      frame = &stack[depth];
    }
    frame->next_child = next_child;
    frame->structural_index = structural_index;
    frame->position = next_position;
    frame = &stack[++depth];
    *frame = frame_of(language, child, position, owner, visible ? 0 : field, visible);
    next_child = 0;
    structural_index = 0;
    next_position = position;
  }
  free(stack);
  return failed ? FAILED : written;
}
