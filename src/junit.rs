//! JUnit XML reports (`--junit FILE`): one `testsuite` of `testcase`s, the shape Jenkins,
//! GitLab and GitHub test reporters read. Written with quick-xml's writer, so every name
//! and message is escaped.

use std::path::Path;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// One test case: a check of `doctor` or a call of `--repeat`.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    /// Seconds.
    pub time: f64,
    pub outcome: Outcome,
}

/// How a test case ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    Passed,
    /// Passed with a remark (a `warn`): written as `system-out`.
    Remark(String),
    Failed(String),
    Skipped(String),
}

/// The report for `cases` as XML text.
pub fn render(suite: &str, cases: &[Case]) -> String {
    let failures = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failed(_)))
        .count();
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Skipped(_)))
        .count();
    let total: f64 = cases.iter().map(|c| c.time).sum();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let write = |w: &mut Writer<Vec<u8>>| -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut start = BytesStart::new("testsuite");
        start.push_attribute(("name", suite));
        start.push_attribute(("tests", cases.len().to_string().as_str()));
        start.push_attribute(("failures", failures.to_string().as_str()));
        start.push_attribute(("errors", "0"));
        start.push_attribute(("skipped", skipped.to_string().as_str()));
        start.push_attribute(("time", format!("{total:.3}").as_str()));
        w.write_event(Event::Start(start))?;
        for case in cases {
            let mut tc = BytesStart::new("testcase");
            tc.push_attribute(("classname", suite));
            tc.push_attribute(("name", case.name.as_str()));
            tc.push_attribute(("time", format!("{:.3}", case.time).as_str()));
            let (tag, text) = match &case.outcome {
                Outcome::Passed => {
                    w.write_event(Event::Empty(tc))?;
                    continue;
                }
                Outcome::Remark(t) => ("system-out", t),
                Outcome::Failed(t) => ("failure", t),
                Outcome::Skipped(t) => ("skipped", t),
            };
            w.write_event(Event::Start(tc))?;
            if tag == "system-out" {
                w.write_event(Event::Start(BytesStart::new(tag)))?;
                w.write_event(Event::Text(BytesText::new(text)))?;
                w.write_event(Event::End(BytesEnd::new(tag)))?;
            } else {
                let mut el = BytesStart::new(tag);
                el.push_attribute(("message", text.as_str()));
                w.write_event(Event::Empty(el))?;
            }
            w.write_event(Event::End(BytesEnd::new("testcase")))?;
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
        Ok(())
    };
    let _ = write(&mut w);
    let mut out = String::from_utf8_lossy(&w.into_inner()).into_owned();
    out.push('\n');
    out
}

/// Writes the report to `path`; the error names the file.
pub fn write(path: &Path, suite: &str, cases: &[Case]) -> Result<(), String> {
    std::fs::write(path, render(suite, cases))
        .map_err(|e| format!("cannot write the JUnit report {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_escapes() {
        let xml = render(
            "avlaunch doctor",
            &[
                Case {
                    name: "dns".into(),
                    time: 0.001,
                    outcome: Outcome::Passed,
                },
                Case {
                    name: "tls".into(),
                    time: 0.0,
                    outcome: Outcome::Failed("a <b> & \"c\"".into()),
                },
                Case {
                    name: "x".into(),
                    time: 0.0,
                    outcome: Outcome::Skipped("not run".into()),
                },
            ],
        );
        assert!(
            xml.contains(r#"tests="3" failures="1" errors="0" skipped="1""#),
            "{xml}"
        );
        assert!(xml.contains("a &lt;b&gt; &amp; &quot;c&quot;"), "{xml}");
    }
}
