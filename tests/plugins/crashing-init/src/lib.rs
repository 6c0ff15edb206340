//! A library that exports a valid plugin but aborts the process as soon as the dynamic
//! loader runs its initialisers: what a C dependency with a broken static constructor does.
//! The worker must refuse it without dying.

use plugin_abi::prelude::*;

#[derive(Default)]
pub struct NeverLoadedConnector;

impl SourceConnector for NeverLoadedConnector {
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }

    fn start(&mut self, _props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
        Ok(())
    }

    fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        Ok(Vec::new())
    }
}

#[derive(Default)]
pub struct NeverLoadedTask;

impl SourceTask for NeverLoadedTask {
    fn start(&mut self, _props: &Props, _ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        Ok(())
    }

    fn poll(&mut self, _ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        Ok(Vec::new())
    }
}

plugin_abi::export_plugins! {
    source "test.crash.NeverLoadedConnector" => NeverLoadedConnector {
        task "test.crash.NeverLoadedTask" => NeverLoadedTask
    }
}

#[cfg(all(target_os = "linux", not(test)))]
extern "C" fn crash_on_load() {
    eprintln!("crashing-init: aborting while the library loads");
    std::process::abort();
}

// Runs when the library is opened (not in this crate's own unit-test binary).
#[cfg(all(target_os = "linux", not(test)))]
#[used]
#[link_section = ".init_array"]
static CRASH_ON_LOAD: extern "C" fn() = crash_on_load;
