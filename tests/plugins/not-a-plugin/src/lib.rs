//! A shared library with an ordinary C symbol and no plugin root module: the worker must
//! refuse it with a clear reason.

/// Something to export, so the library is not empty.
#[no_mangle]
pub extern "C" fn not_a_plugin_answer() -> i32 {
    42
}
