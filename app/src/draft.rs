//! (browser) The new-ticket draft, kept in the browser's storage on every keystroke
//! so that a form never loses one; dropped after sending, or when a suggestion
//! solved the problem.

use domain::ProductFamily;
use std::collections::BTreeMap;

/// Where the draft lives in the browser.
pub const DRAFT_KEY: &str = "guichet.draft.new-ticket";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Draft {
    family: ProductFamily,
    values: BTreeMap<String, String>,
}

pub fn load_draft() -> Option<(ProductFamily, BTreeMap<String, String>)> {
    let text = storage()?.get_item(DRAFT_KEY).ok().flatten()?;
    let draft: Draft = serde_json::from_str(&text).ok()?;
    (!draft.values.values().all(|v| v.trim().is_empty())).then_some((draft.family, draft.values))
}

pub fn save_draft(family: &ProductFamily, values: &BTreeMap<String, String>) {
    if let (Some(s), Ok(text)) = (
        storage(),
        serde_json::to_string(&Draft {
            family: *family,
            values: values.clone(),
        }),
    ) {
        let _ = s.set_item(DRAFT_KEY, &text);
    }
}

/// Drops the draft: after a successful send, or when a suggestion solved the problem.
pub fn clear_draft() {
    if let Some(s) = storage() {
        let _ = s.remove_item(DRAFT_KEY);
    }
}
