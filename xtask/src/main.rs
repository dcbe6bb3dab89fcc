//! Build tasks that need more than cargo: `cargo xtask bundle` builds the browser
//! bundle (wasm -> wasm-bindgen -> hashed names -> brotli/gzip) into `target/site/pkg`.
//!
//! wasm-bindgen runs as a library at exactly the version the app links (both pinned
//! in the workspace), so there is no CLI to install and no version mismatch possible.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const OUT_NAME: &str = "guichet";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bundle") => bundle(),
        Some("sizes") => sizes(&args[1..]),
        _ => Err("usage: cargo xtask bundle | cargo xtask sizes FILE...".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn bundle() -> Result<(), String> {
    let root = workspace_root();
    let target_dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .args([
            "build",
            "-p",
            "frontend",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("the wasm build failed".into());
    }
    let wasm = target_dir.join("wasm32-unknown-unknown/wasm-release/frontend.wasm");
    let staging = target_dir.join("site-staging");
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(io("create", &staging))?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .out_name(OUT_NAME)
        .web(true)
        .map_err(|e| e.to_string())?
        .keep_debug(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .typescript(false)
        .generate(&staging)
        .map_err(|e| format!("wasm-bindgen: {e}"))?;

    let pkg = target_dir.join("site/pkg");
    let _ = fs::remove_dir_all(&pkg);
    fs::create_dir_all(&pkg).map_err(io("create", &pkg))?;
    // Snippets (inline JS of dependencies) keep their relative paths next to the glue.
    let snippets = staging.join("snippets");
    if snippets.exists() {
        copy_dir(&snippets, &pkg.join("snippets"))?;
    }
    let js = hashed_copy(&staging.join(format!("{OUT_NAME}.js")), &pkg, OUT_NAME, "js")?;
    let wasm = hashed_copy(
        &staging.join(format!("{OUT_NAME}_bg.wasm")),
        &pkg,
        &format!("{OUT_NAME}_bg"),
        "wasm",
    )?;
    let css = hashed_copy(&root.join("style/main.css"), &pkg, OUT_NAME, "css")?;
    // No inline script on the page (the CSP forbids them): this tiny module starts
    // hydration.
    // hydration of the page's islands. A page without any island never fetches the
    // wasm at all.
    let boot_source = format!(
        "const done = () => {{ document.documentElement.dataset.hydrated = 'true'; }};\n\
         const islands = document.querySelectorAll('leptos-island');\n\
         if (islands.length === 0) {{ done(); }} else {{\n\
         const mod = await import('./{js}');\n\
         await mod.default({{ module_or_path: new URL('./{wasm}', import.meta.url) }});\n\
         mod.hydrate();\n\
         for (const el of islands) {{\n\
         const island = mod[el.dataset.component];\n\
         if (island) {{ await island(el); }} else {{ console.warn('no island export', el.dataset.component); }}\n\
         }}\n\
         done();\n\
         }}\n"
    );
    let boot_tmp = staging.join("boot.js");
    fs::write(&boot_tmp, boot_source).map_err(io("write", &boot_tmp))?;
    let boot = hashed_copy(&boot_tmp, &pkg, "boot", "js")?;
    let manifest =
        format!("{{\"boot\":\"/pkg/{boot}\",\"js\":\"/pkg/{js}\",\"wasm\":\"/pkg/{wasm}\",\"css\":\"/pkg/{css}\"}}\n");
    let manifest_path = pkg.join("manifest.json");
    fs::write(&manifest_path, manifest).map_err(io("write", &manifest_path))?;
    precompress_tree(&pkg)?;
    println!("bundle written to {}", pkg.display());
    for name in [&boot, &js, &wasm, &css] {
        let raw = size(&pkg.join(name));
        let gz = size(&pkg.join(format!("{name}.gz")));
        let br = size(&pkg.join(format!("{name}.br")));
        println!("  {name:<40} raw {raw:>9}  gzip {gz:>9}  brotli {br:>9}");
    }
    Ok(())
}

/// Prints each file's size raw, gzip and brotli (at the levels the server's
/// precompressed files use), and the total: what a first visit downloads.
fn sizes(files: &[String]) -> Result<(), String> {
    let mut total = [0usize; 3];
    println!("{:<48} {:>10} {:>10} {:>10}", "file", "raw", "gzip", "brotli");
    for file in files {
        let path = Path::new(file);
        let bytes = fs::read(path).map_err(io("read", path))?;
        let (gz, br) = compress(&bytes)?;
        let row = [bytes.len(), gz.len(), br.len()];
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!("{name:<48} {:>10} {:>10} {:>10}", row[0], row[1], row[2]);
    }
    println!("{:<48} {:>10} {:>10} {:>10}", "total", total[0], total[1], total[2]);
    Ok(())
}

fn compress(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    use std::io::Write;
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        w.write_all(bytes).map_err(|e| e.to_string())?;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).map_err(|e| e.to_string())?;
    let gz = gz.finish().map_err(|e| e.to_string())?;
    Ok((gz, br))
}

fn io<'a>(what: &'a str, path: &'a Path) -> impl Fn(std::io::Error) -> String + 'a {
    move |e| format!("cannot {what} {}: {e}", path.display())
}

fn size(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Copies `src` to `dir/stem.<hash>.ext`, the hash taken from the content, so the
/// file can be cached for ever.
fn hashed_copy(src: &Path, dir: &Path, stem: &str, ext: &str) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    let bytes = fs::read(src).map_err(io("read", src))?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let name = format!("{stem}.{}.{ext}", &digest[..12]);
    let dest = dir.join(&name);
    fs::write(&dest, &bytes).map_err(io("write", &dest))?;
    Ok(name)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(io("create", to))?;
    for entry in fs::read_dir(from).map_err(io("read", from))?.flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(io("copy", &path))?;
        }
    }
    Ok(())
}

/// Writes `.br` and `.gz` next to every file, at the highest levels: this runs once
/// per build, and the server then sends them without compressing anything.
fn precompress_tree(dir: &Path) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(io("read", dir))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            precompress_tree(&path)?;
            continue;
        }
        let bytes = fs::read(&path).map_err(io("read", &path))?;
        let (gz, br) = compress(&bytes)?;
        let br_path = PathBuf::from(format!("{}.br", path.display()));
        fs::write(&br_path, br).map_err(io("write", &br_path))?;
        let gz_path = PathBuf::from(format!("{}.gz", path.display()));
        fs::write(&gz_path, gz).map_err(io("write", &gz_path))?;
    }
    Ok(())
}
