//! The browser entry point: hydrate the server-rendered page (production), or render
//! it in the browser (`csr`, Trunk's dev loop).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::wasm_bindgen;

#[cfg(feature = "hydrate")]
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands: pages are server-rendered HTML; only the components marked
    // `#[island]` (the ticket form, the notice's dismiss button) run here. The boot
    // script calls each island's export on its `<leptos-island>` element.
    leptos::mount::hydrate_islands();
}

// The islands' exports live in `app`: link it.
#[cfg(feature = "hydrate")]
use app as _;

#[cfg(all(feature = "csr", not(feature = "hydrate")))]
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
