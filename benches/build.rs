//! Tells the benchmark binaries which Cargo profile built them (the name of the profile's
//! directory under `target/`, the component before `build` in `OUT_DIR`), so that `compare`
//! prints it in its header: a figure without its build profile cannot be compared.

fn main() {
    let out_dir = std::env::var("OUT_DIR").unwrap_or_default();
    let parts: Vec<&str> = out_dir.split(std::path::MAIN_SEPARATOR).collect();
    let profile = parts
        .iter()
        .rposition(|p| *p == "build")
        .and_then(|i| i.checked_sub(1))
        .map_or("unknown", |i| parts[i]);
    println!("cargo:rustc-env=MAILPROTO_BENCH_PROFILE={profile}");
    println!("cargo:rerun-if-changed=build.rs");
}
