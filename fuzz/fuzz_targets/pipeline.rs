//! Arbitrary and mutated source through the whole pipeline. The first byte picks the grammar; the
//! rest is the file. See `tests/common/pipeline.rs` for what is checked.
#![no_main]

#[path = "../../tests/common/pipeline.rs"]
mod pipeline;

use libfuzzer_sys::fuzz_target;
use pulumi_fix::lang::Grammar;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, source)) = data.split_first() {
        pipeline::check_pipeline(Grammar::ALL[usize::from(selector) % Grammar::ALL.len()], source);
    }
});
