//! The web console at `/ui`, in headless Chromium against the real binary: a FileStream
//! connector created through the generated form (a validation error shown next to its field
//! first), paused, resumed and deleted; 200 connectors with long names; basic
//! authentication. The tests write their screenshots to `target/screenshots/` (and, with
//! `UPDATE_SCREENSHOTS=1`, over the README's copies in `docs/`).
//!
//! `cargo xtask test` installs Debian's `chromium` and `chromium-driver` when missing.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use e2e::browser::{Browser, WAIT};
use e2e::{
    connect_binary, pairs, path_str, plugin_dir, wait_until, worker_settings, workspace_root,
    write_lines, Worker,
};
use serde_json::{json, Value};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const SOURCE: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
/// A laptop screen.
const WIDTH: u32 = 1366;
const HEIGHT: u32 = 860;

fn worker(dir: &Path, extra: &[(&str, &str)]) -> Worker {
    let plugins = plugin_dir(dir, &["connect_file", "connect_test_kit"]);
    let mut settings = worker_settings(dir, &plugins, STRING);
    settings.push(("offset.flush.interval.ms".into(), "500".into()));
    settings.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Worker::standalone(dir, &pairs(&settings), &[])
}

/// Writes the screenshot to `target/screenshots/`, and over the README's copy in `docs/` when
/// `UPDATE_SCREENSHOTS=1` (a test run would otherwise leave the work tree changed).
fn save_screenshot(browser: &Browser, name: &str) {
    let png = browser.screenshot();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let mut dirs = vec![e2e::target_dir().join("screenshots")];
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
        dirs.push(workspace_root().join("docs"));
    }
    for dir in dirs {
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        let path = dir.join(name);
        std::fs::write(&path, &png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

/// Appends lines to `path` every 200 ms until `stop` is set, so the charts have something
/// to show.
fn keep_appending(path: &Path, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(&path) {
                for _ in 0..(40 + (n * 7) % 60) {
                    let _ = writeln!(f, "more-{n}");
                    n += 1;
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    })
}

/// Waits until the chart `css` has at least `points` points (one per refresh).
fn wait_for_chart_points(browser: &Browser, css: &str, points: usize) {
    let mut last = 0;
    let ok = wait_until(WAIT, || {
        last = browser
            .find(css)
            .and_then(|e| browser.attribute(&e, "points"))
            .map(|p| p.split(' ').count())
            .unwrap_or(0);
        last >= points
    });
    assert!(ok, "{css} has {last} points, not {points}");
}

fn badge_state(browser: &Browser) -> String {
    browser.wait_for_text(".badges .state", |t| !t.is_empty())
}

fn wait_badge(browser: &Browser, state: &str) {
    browser.wait_for_text(".badges .state", |t| t == state);
}

fn click_button(browser: &Browser, scope: &str, label: &str) {
    let mut found = None;
    let ok = wait_until(WAIT, || {
        found = browser
            .find_all(&format!("{scope} button"))
            .into_iter()
            .find(|b| browser.text(b) == label);
        found.is_some()
    });
    assert!(
        ok,
        "no button {label:?} in {scope}; the page shows:\n{}",
        browser.page_text()
    );
    browser.click(&found.expect("found"));
}

#[test]
fn a_file_source_is_created_through_the_form_then_paused_resumed_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.txt");
    write_lines(&input, 500);
    let w = worker(dir.path(), &[]);
    // Neighbours for the screenshot of the list: a sink and a stopped source.
    let output = dir.path().join("output.txt");
    let (code, body) = w.call(
        "PUT",
        "/connectors/local-file-sink/config",
        Some(json!({"connector.class": "FileStreamSink", "file": path_str(&output), "topics": "lines"})),
    );
    assert_eq!(code, 201, "{body}");
    let (code, body) = w.call(
        "POST",
        "/connectors",
        Some(json!({"name": "archive-reader-with-a-rather-long-name-for-the-nightly-batch-import-from-the-legacy-system",
            "config": {"connector.class": "FileStreamSource", "file": path_str(&input), "topic": "archive"},
            "initial_state": "STOPPED"})),
    );
    assert_eq!(code, 201, "{body}");
    let browser = Browser::start(WIDTH, HEIGHT);

    // /ui redirects to /ui/, whose relative URLs resolve under it.
    browser.goto(&format!("{}/ui", w.rest));
    assert!(
        browser.current_url().ends_with("/ui/"),
        "{}",
        browser.current_url()
    );
    browser.wait_for("tr[data-connector='local-file-sink']");

    // The form of the FileStream source, generated from its ConfigDef.
    browser.click(&browser.wait_for(".page-head a[href='#/new']"));
    browser.click(&browser.wait_for(&format!("a.card[href^='#/new/{SOURCE}']")));
    let name = browser.wait_for("#f-name");
    let file = browser.wait_for("[id='f-file']");
    let topic = browser.wait_for("[id='f-topic']");
    let batch = browser.wait_for("[id='f-batch.size']");
    // Required marks and documentation come from the ConfigDef.
    let topic_field = browser.wait_for("[data-field='topic']");
    let topic_text = browser.text(&topic_field);
    assert!(topic_text.contains("*"), "{topic_text}");
    assert!(
        topic_text.contains("The topic to publish data to"),
        "{topic_text}"
    );
    assert_eq!(
        browser.attribute(&batch, "placeholder").as_deref(),
        Some("Default: 2000")
    );

    browser.fill(&name, "console-source");
    browser.fill(&file, path_str(&input));
    browser.fill(&batch, "lots");
    // Validated as they type: each error next to its field.
    let error = browser.wait_for_text("[id='e-batch.size']", |t| !t.is_empty());
    assert!(error.contains("batch.size"), "{error}");
    assert_eq!(
        browser.attribute(&batch, "aria-invalid").as_deref(),
        Some("true")
    );
    let missing = browser.wait_for_text("[id='e-topic']", |t| !t.is_empty());
    assert!(missing.contains("topic"), "{missing}");
    save_screenshot(&browser, "ui-create.png");

    // Submitting with errors creates nothing and moves the focus to the first bad field.
    click_button(&browser, ".form-actions", "Create connector");
    browser.wait_for_text(".form-status", |t| t.contains("need"));
    let focused = browser.script("return document.activeElement.id", json!([]));
    assert!(
        focused == "f-topic" || focused == "f-batch.size",
        "focus is on {focused}"
    );
    assert_eq!(w.get("/connectors/console-source").0, 404);

    browser.fill(&topic, "console-lines");
    browser.fill(&batch, "100");
    browser.wait_for_text("[id='e-batch.size']", str::is_empty);
    browser.wait_for_text("[id='e-topic']", str::is_empty);
    browser.wait_for_text(".form-status", |t| t == "The configuration is valid");
    click_button(&browser, ".form-actions", "Create connector");

    // Its page: RUNNING, with its task and the worker running it.
    browser.wait_for_text("h1", |t| t == "console-source");
    wait_badge(&browser, "RUNNING");
    browser.wait_for_text("tr[data-task='0']", |t| t.contains("RUNNING"));
    let (_, status) = w.get("/connectors/console-source/status");
    let worker_id = status["tasks"][0]["worker_id"]
        .as_str()
        .unwrap()
        .to_string();
    browser.wait_for_text("tr[data-task='0']", |t| t.contains(&worker_id));
    let (_, config) = w.get("/connectors/console-source/config");
    assert_eq!(config["topic"], "console-lines", "{config}");
    assert_eq!(config["batch.size"], "100", "{config}");
    assert_eq!(config["connector.class"], SOURCE, "{config}");

    // Records flowing, for the charts.
    let stop = Arc::new(AtomicBool::new(false));
    let appender = keep_appending(&input, stop.clone());
    browser.wait_for_text(".chart-in .chart-now", |t| {
        t.split(' ')
            .next()
            .and_then(|v| v.parse::<f64>().ok())
            .is_some_and(|v| v > 0.0)
    });
    wait_for_chart_points(&browser, ".chart-in polyline", 3);
    save_screenshot(&browser, "ui-connector.png");

    click_button(&browser, ".actions-bar", "Pause");
    wait_badge(&browser, "PAUSED");
    assert_eq!(
        w.connector_state("console-source").as_deref(),
        Some("PAUSED")
    );

    // Resume from the keyboard: the actions are real buttons.
    let resume = browser
        .find_all(".actions-bar button")
        .into_iter()
        .find(|b| browser.text(b) == "Resume")
        .expect("a Resume button");
    browser.focus(&resume);
    browser.keys("\u{E007}");
    wait_badge(&browser, "RUNNING");
    assert_eq!(
        w.connector_state("console-source").as_deref(),
        Some("RUNNING")
    );

    // The list, live, with records flowing for the charts.
    browser.click(&browser.wait_for("nav a[href='#/']"));
    let row = "tr[data-connector='console-source']";
    browser.wait_for_text(row, |t| t.contains("RUNNING") && t.contains("1/1 running"));
    // Rates need two samples of /metrics: wait for some records in.
    browser.wait_for_text(&format!("{row} td.chart .rate"), |t| {
        t.parse::<f64>().is_ok_and(|v| v > 0.0)
    });
    wait_for_chart_points(&browser, &format!("{row} td.chart polyline"), 4);
    browser.wait_gone(".toast");
    save_screenshot(&browser, "ui-connectors.png");
    stop.store(true, Ordering::Relaxed);
    appender.join().unwrap();

    // Delete asks first; Escape cancels and gives the focus back.
    browser.click(&browser.wait_for(&format!("{row} td.name a")));
    wait_badge(&browser, "RUNNING");
    assert_eq!(badge_state(&browser), "RUNNING");
    click_button(&browser, ".actions-bar", "Delete…");
    browser.wait_for("dialog[open]");
    let in_dialog = browser.script(
        "return document.activeElement.closest('dialog') !== null",
        json!([]),
    );
    assert_eq!(in_dialog, true, "the focus is not in the dialog");
    browser.keys("\u{E00C}");
    browser.wait_gone("dialog");
    let focused = browser.script("return document.activeElement.textContent", json!([]));
    assert_eq!(focused, "Delete…");
    assert_eq!(w.get("/connectors/console-source").0, 200);

    click_button(&browser, ".actions-bar", "Delete…");
    click_button(&browser, "dialog[open]", "Delete connector");
    browser.wait_for_text("h1", |t| t == "Connectors");
    browser.wait_gone(row);
    assert_eq!(w.get("/connectors/console-source").0, 404);
    browser.wait_for("tr[data-connector='local-file-sink']");
}

#[test]
fn a_failed_task_shows_its_trace_and_a_restart_of_only_what_failed_runs_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let w = worker(dir.path(), &[]);
    let (code, body) = w.call(
        "PUT",
        "/connectors/boom/config",
        Some(json!({"connector.class": "test.kit.PanickingSourceConnector", "topic": "t"})),
    );
    assert_eq!(code, 201, "{body}");
    assert!(wait_until(WAIT, || w.task_state("boom", 0).as_deref()
        == Some("FAILED")));
    let browser = Browser::start(WIDTH, HEIGHT);
    browser.goto(&format!("{}/ui/", w.rest));
    let row = "tr[data-connector='boom']";
    browser.wait_for_text(row, |t| t.contains("1 failed"));
    // Its page opens the failed task's trace.
    browser.click(&browser.wait_for(&format!("{row} td.name a")));
    let trace = browser.wait_for_text("details.trace[open] pre", |t| !t.is_empty());
    assert!(trace.contains("deliberate panic"), "{trace}");
    // Restart only what failed, chosen in the restart dialog.
    let before = w.log().matches("deliberate panic").count();
    click_button(&browser, ".actions-bar", "Restart…");
    browser
        .click(&browser.wait_for("dialog[open] input[value='includeTasks=true&onlyFailed=true']"));
    click_button(&browser, "dialog[open]", "Restart");
    browser.wait_gone("dialog");
    assert!(
        wait_until(WAIT, || w.log().matches("deliberate panic").count()
            > before),
        "the failed task was not restarted:\n{}",
        w.log()
    );
}

#[test]
fn a_stopped_connector_shows_its_offsets_and_resets_them_after_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.txt");
    write_lines(&input, 50);
    let w = worker(dir.path(), &[]);
    let (code, body) = w.call(
        "PUT",
        "/connectors/reader/config",
        Some(
            json!({"connector.class": "FileStreamSource", "file": path_str(&input), "topic": "t"}),
        ),
    );
    assert_eq!(code, 201, "{body}");
    assert!(wait_until(WAIT, || {
        w.get("/connectors/reader/offsets").1["offsets"][0]["offset"]["position"]
            .as_i64()
            .is_some_and(|p| p > 0)
    }));
    let browser = Browser::start(WIDTH, HEIGHT);
    browser.goto(&format!("{}/ui/#/connectors/reader", w.rest));
    wait_badge(&browser, "RUNNING");
    // Offsets change only while stopped.
    let reset = browser.wait_for("#h-offsets + div button.btn-danger");
    assert!(browser.attribute(&reset, "disabled").is_some());
    click_button(&browser, ".actions-bar", "Stop");
    wait_badge(&browser, "STOPPED");
    let offsets = browser.wait_for_text("table.offsets", |t| t.contains("position"));
    assert!(offsets.contains(path_str(&input)), "{offsets}");

    // Edit the configuration through the form, prefilled with the current values.
    browser.click(&browser.wait_for("#h-config a"));
    let batch = browser.wait_for("[id='f-batch.size']");
    assert_eq!(browser.property(&batch, "value").as_deref(), Some(""));
    let topic = browser.wait_for("[id='f-topic']");
    assert_eq!(browser.property(&topic, "value").as_deref(), Some("t"));
    browser.fill(&batch, "7");
    browser.wait_for_text(".form-status", |t| t == "The configuration is valid");
    click_button(&browser, ".form-actions", "Save configuration");
    browser.wait_for_text("h1", |t| t == "reader");
    assert!(wait_until(WAIT, || w.get("/connectors/reader/config").1
        ["batch.size"]
        == "7"));

    wait_badge(&browser, "STOPPED");
    click_button(&browser, "#h-offsets + div", "Reset offsets…");
    click_button(&browser, "dialog[open]", "Reset offsets");
    browser.wait_for_text("#h-offsets + div", |t| t.contains("No offsets stored."));
    assert_eq!(
        w.get("/connectors/reader/offsets").1,
        json!({"offsets": []})
    );
}

#[test]
fn pasted_properties_fill_the_form_and_bad_ones_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.txt");
    write_lines(&input, 5);
    let w = worker(dir.path(), &[]);
    let browser = Browser::start(WIDTH, HEIGHT);
    browser.goto(&format!("{}/ui/#/new/{SOURCE}", w.rest));
    browser.wait_for("[id='f-topic']");
    browser.click(&browser.wait_for("details.raw summary"));
    let raw = browser.wait_for("#raw");
    browser.fill(&raw, "{\"name\": \"pasted\", \"config\": {\"topic\": {}}}");
    click_button(&browser, "details.raw", "Apply to the form");
    let error = browser.wait_for_text("#e-raw", |t| !t.is_empty());
    assert!(error.contains("topic"), "{error}");
    assert_eq!(
        browser.property(&raw, "ariaInvalid").as_deref(),
        Some("true")
    );

    browser.fill(
        &raw,
        &format!(
            "# from a file\nname=pasted\nconnector.class=FileStreamSource\nfile={}\ntopic=pasted-lines\nbatch.size=10\n",
            path_str(&input)
        ),
    );
    click_button(&browser, "details.raw", "Apply to the form");
    browser.wait_for_text("#e-raw", str::is_empty);
    let topic = browser.wait_for("[id='f-topic']");
    assert_eq!(
        browser.property(&topic, "value").as_deref(),
        Some("pasted-lines")
    );
    assert_eq!(
        browser
            .property(&browser.wait_for("#f-name"), "value")
            .as_deref(),
        Some("pasted")
    );
    browser.wait_for_text(".form-status", |t| t == "The configuration is valid");
    click_button(&browser, ".form-actions", "Create connector");
    browser.wait_for_text("h1", |t| t == "pasted");
    let (_, config) = w.get("/connectors/pasted/config");
    assert_eq!(config["batch.size"], "10", "{config}");
    assert_eq!(config["file"], path_str(&input), "{config}");
}

#[test]
fn two_hundred_connectors_with_long_names_keep_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.txt");
    write_lines(&input, 10);
    let w = worker(dir.path(), &[]);
    let long = "-with-a-name-long-enough-to-overflow-any-column-of-the-table";
    for i in 0..200 {
        let (code, body) = w.call(
            "POST",
            "/connectors",
            Some(json!({"name": format!("c{i:03}{long}"),
                "config": {"connector.class": "FileStreamSource", "file": path_str(&input), "topic": format!("t{i}")},
                "initial_state": "STOPPED"})),
        );
        assert_eq!(code, 201, "{body}");
    }
    let browser = Browser::start(WIDTH, HEIGHT);
    browser.goto(&format!("{}/ui/", w.rest));
    browser.wait_for_text(".summary", |t| t.starts_with("200 connectors"));
    let layout = browser.script(
        "const rows = [...document.querySelectorAll('tr[data-connector]')];
         const links = rows.map((r) => r.querySelector('td.name a'));
         return {
           rows: rows.length,
           pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
           tallest: Math.max(...rows.map((r) => r.offsetHeight)),
           shortest: Math.min(...rows.map((r) => r.offsetHeight)),
           ellipsized: links.filter((a) => a.scrollWidth > a.clientWidth).length,
           titled: links.filter((a) => a.title === a.textContent).length,
         };",
        json!([]),
    );
    assert_eq!(layout["rows"], 200, "{layout}");
    // Long names neither widen the page nor wrap into taller rows: they are cut with an
    // ellipsis, the whole name in the link's title.
    assert!(layout["pageOverflow"].as_i64().unwrap() <= 0, "{layout}");
    assert_eq!(layout["tallest"], layout["shortest"], "{layout}");
    assert_eq!(layout["ellipsized"], 200, "{layout}");
    assert_eq!(layout["titled"], 200, "{layout}");

    // The filter finds one among them.
    browser.fill(&browser.wait_for("#filter"), "c123-");
    browser.wait_for_text(".summary", |t| t.ends_with("1 shown"));
    let visible: Value = browser.script(
        "return [...document.querySelectorAll('tr[data-connector]')].filter((r) => !r.hidden).map((r) => r.dataset.connector)",
        json!([]),
    );
    assert_eq!(visible, json!([format!("c123{long}")]));
}

#[test]
fn the_plugins_page_lists_every_kind_with_version_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let w = worker(dir.path(), &[]);
    let browser = Browser::start(WIDTH, HEIGHT);
    browser.goto(&format!("{}/ui/#/plugins", w.rest));
    let row = browser.wait_for_text(&format!("tr[data-plugin='{SOURCE}']"), |t| !t.is_empty());
    let (_, plugins) = w.get("/connector-plugins");
    let version = plugins
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["class"] == SOURCE)
        .and_then(|p| p["version"].as_str())
        .unwrap()
        .to_string();
    assert!(row.contains(&version), "{row}");
    assert!(row.contains("libconnect_file"), "{row}");
    let page = browser.page_text();
    for built_in in [
        "org.apache.kafka.connect.json.JsonConverter",
        "org.apache.kafka.connect.transforms.InsertField$Value",
        "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
    ] {
        assert!(page.contains(built_in), "{built_in} is missing:\n{page}");
    }
    assert!(page.contains("built-in"), "{page}");
}

#[test]
fn the_console_needs_the_same_basic_authentication_as_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let line = hash_password_line("alice", "correct horse");
    let credentials = dir.path().join("credentials");
    std::fs::write(&credentials, format!("{line}\n")).unwrap();
    let w = worker(
        dir.path(),
        &[("rest.basic.auth.credentials.file", path_str(&credentials))],
    );
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in [
        "/ui",
        "/ui/",
        "/ui/app.js",
        "/ui/api/plugins",
        "/ui/nothing.js",
    ] {
        let url = format!("{}{path}", w.rest);
        let anonymous = client.get(&url).send().unwrap();
        assert_eq!(anonymous.status().as_u16(), 401, "{path}");
        assert!(
            anonymous.headers().contains_key("www-authenticate"),
            "{path}"
        );
        let wrong = client
            .get(&url)
            .basic_auth("alice", Some("wrong"))
            .send()
            .unwrap();
        assert_eq!(wrong.status().as_u16(), 401, "{path}");
    }
    let ok = |path: &str| {
        client
            .get(format!("{}{path}", w.rest))
            .basic_auth("alice", Some("correct horse"))
            .send()
            .unwrap()
    };
    assert_eq!(ok("/ui").status().as_u16(), 307);
    let page = ok("/ui/");
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    assert!(page
        .text()
        .unwrap()
        .contains("<script type=\"module\" src=\"app.js\">"));
    let plugins: Value = ok("/ui/api/plugins").json().unwrap();
    assert!(
        plugins
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["class"] == SOURCE
                && p["location"].as_str().unwrap().contains("libconnect_file")),
        "{plugins}"
    );
    assert_eq!(ok("/ui/nothing.js").status().as_u16(), 404);

    // In the browser: without credentials the console does not load.
    let browser = Browser::start(WIDTH, HEIGHT);
    browser.goto(&format!("{}/ui/", w.rest));
    assert!(browser.find("#main").is_none(), "{}", browser.page_text());
    assert!(browser.find("tr[data-connector]").is_none());
    // With them (given once, in the URL here; a person types them into the browser's
    // prompt), the page and every API call it makes are let in.
    let created = client
        .put(format!("{}/connectors/guarded/config", w.rest))
        .basic_auth("alice", Some("correct horse"))
        .json(&json!({"connector.class": "FileStreamSink", "file": path_str(&dir.path().join("out")), "topics": "t"}))
        .send()
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let with_credentials = w
        .rest
        .replacen("http://", "http://alice:correct%20horse@", 1);
    browser.goto(&format!("{with_credentials}/ui/"));
    browser.wait_for_text("tr[data-connector='guarded']", |t| t.contains("RUNNING"));
    browser.wait_for_text("#live", |t| t.starts_with("Live"));
}

/// `connect rest hash-password USER` with the password on standard input.
fn hash_password_line(user: &str, password: &str) -> String {
    let mut child = std::process::Command::new(connect_binary())
        .args(["rest", "hash-password", user])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
