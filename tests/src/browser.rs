//! Headless Chromium driven over WebDriver (the W3C protocol, JSON over HTTP to
//! `chromedriver`), for the web console's tests. Only what those tests use: navigate, find,
//! click, type, read text and attributes, run a script, take a screenshot.
//!
//! `CHROMIUM_BIN` and `CHROMEDRIVER_BIN` name the binaries (default: Debian's
//! `/usr/bin/chromium` and `/usr/bin/chromedriver`, which `cargo xtask test` installs).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::wait_until;

/// The key W3C WebDriver names element references with.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long `wait_for…` helpers wait.
pub const WAIT: Duration = Duration::from_secs(30);

fn binary(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.exists(),
        "{} is missing: `cargo xtask test` installs it (apt-get install chromium chromium-driver), or set {var}",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A headless Chromium session; chromedriver and the browser end when it is dropped.
pub struct Browser {
    driver: Child,
    url: String,
    session: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

/// An element of the page.
#[derive(Clone)]
pub struct Element(String);

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile that makes no
    /// network calls of its own, its window `width`×`height`.
    pub fn start(width: u32, height: u32) -> Browser {
        let chromium = binary("CHROMIUM_BIN", "/usr/bin/chromium");
        let chromedriver = binary("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("HTTP client");
        let url = format!("http://127.0.0.1:{port}");
        let ready = wait_until(WAIT, || {
            http.get(format!("{url}/status"))
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true)
        });
        assert!(ready, "chromedriver did not become ready on port {port}");
        let profile = tempfile::tempdir().expect("profile directory");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--disable-extensions".to_string(),
            "--disable-default-apps".to_string(),
            "--hide-scrollbars".to_string(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut browser = Browser {
            driver,
            url,
            session: String::new(),
            http,
            _profile: profile,
        };
        let created = browser.send(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium.to_string_lossy(), "args": args},
            }}}),
        );
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"))
            .to_string();
        browser
    }

    fn send(&self, method: &str, path: &str, body: Value) -> Value {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("HTTP method");
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.url));
        if method != reqwest::Method::GET && method != reqwest::Method::DELETE {
            request = request.json(&body);
        }
        let response: Value = request
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        response["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let value = self.send(method, &format!("/session/{}{path}", self.session), body);
        match value.get("error").and_then(Value::as_str) {
            Some(error) => Err(format!(
                "{error}: {}",
                value["message"].as_str().unwrap_or_default()
            )),
            None => Ok(value),
        }
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        self.session_call(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    /// Opens `url` and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    /// The page's current URL.
    pub fn current_url(&self) -> String {
        self.call("GET", "/url", Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The first element matching the CSS selector, if any.
    pub fn find(&self, css: &str) -> Option<Element> {
        self.session_call(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        )
        .ok()
        .and_then(|v| v[ELEMENT_KEY].as_str().map(|id| Element(id.to_string())))
    }

    /// Every element matching the CSS selector.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        self.call(
            "POST",
            "/elements",
            json!({"using": "css selector", "value": css}),
        )
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v[ELEMENT_KEY].as_str().map(|id| Element(id.to_string())))
                .collect()
        })
        .unwrap_or_default()
    }

    /// Waits for an element matching `css` (panics with the page's text when none comes).
    pub fn wait_for(&self, css: &str) -> Element {
        let mut found = None;
        if !wait_until(WAIT, || {
            found = self.find(css);
            found.is_some()
        }) {
            panic!(
                "no element {css} appeared; the page shows:\n{}",
                self.page_text()
            );
        }
        found.expect("found")
    }

    /// Waits until the text of the element matching `css` satisfies `check`; returns it.
    pub fn wait_for_text(&self, css: &str, mut check: impl FnMut(&str) -> bool) -> String {
        let mut last = String::new();
        let ok = wait_until(WAIT, || {
            last = self
                .find(css)
                .and_then(|e| self.try_text(&e))
                .unwrap_or_default();
            check(&last)
        });
        assert!(
            ok,
            "the text of {css} never matched (last: {last:?}); the page shows:\n{}",
            self.page_text()
        );
        last
    }

    /// Waits until no element matches `css`.
    pub fn wait_gone(&self, css: &str) {
        assert!(
            wait_until(WAIT, || self.find(css).is_none()),
            "{css} is still there; the page shows:\n{}",
            self.page_text()
        );
    }

    /// The visible text of the whole page.
    pub fn page_text(&self) -> String {
        self.find("body")
            .and_then(|b| self.try_text(&b))
            .unwrap_or_default()
    }

    fn try_text(&self, element: &Element) -> Option<String> {
        self.session_call("GET", &format!("/element/{}/text", element.0), Value::Null)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
    }

    /// The element's visible text.
    pub fn text(&self, element: &Element) -> String {
        self.try_text(element).unwrap_or_default()
    }

    /// Clicks the element.
    pub fn click(&self, element: &Element) {
        self.call("POST", &format!("/element/{}/click", element.0), json!({}));
    }

    /// Clears an input and types `text` into it.
    pub fn fill(&self, element: &Element, text: &str) {
        self.call("POST", &format!("/element/{}/clear", element.0), json!({}));
        self.type_into(element, text);
    }

    /// Types `text` into the element (WebDriver key codes such as `\u{E004}` for Tab work).
    pub fn type_into(&self, element: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/value", element.0),
            json!({ "text": text }),
        );
    }

    /// Presses keys on whatever has the focus.
    pub fn keys(&self, text: &str) {
        let actions: Vec<Value> = text
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        self.call(
            "POST",
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    /// An attribute of the element (None when absent, or when the element is gone: the
    /// console replaces what a refresh changed).
    pub fn attribute(&self, element: &Element, name: &str) -> Option<String> {
        self.session_call(
            "GET",
            &format!("/element/{}/attribute/{name}", element.0),
            Value::Null,
        )
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
    }

    /// A DOM property of the element as text (an input's current `value`…).
    pub fn property(&self, element: &Element, name: &str) -> Option<String> {
        let v = self.call(
            "GET",
            &format!("/element/{}/property/{name}", element.0),
            Value::Null,
        );
        v.as_str().map(str::to_string)
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its result.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": args }),
        )
    }

    /// Moves the keyboard focus to the element.
    pub fn focus(&self, element: &Element) {
        self.script("arguments[0].focus()", json!([{ ELEMENT_KEY: element.0 }]));
    }

    /// The viewport as a PNG.
    pub fn screenshot(&self) -> Vec<u8> {
        let data = self.call("GET", "/screenshot", Value::Null);
        base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("a base64 screenshot")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .http
                .delete(format!("{}/session/{}", self.url, self.session))
                .send();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
