//! `replay`'s progress bar on stderr (objects done of all, objects per second, alerts so far),
//! shown only when stderr is a terminal, and the log writer that keeps log lines and the bar
//! from garbling each other. Alert lines take the bar off the screen the same way, since stdout
//! is often the same terminal.

use std::io::{self, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use tracing_subscriber::fmt::MakeWriter;

/// The bar; hidden (drawing nothing, not even a blank line) until [`Progress::start`] finds
/// stderr to be a terminal.
#[derive(Clone)]
pub struct Progress(ProgressBar);

impl Progress {
    /// A bar that draws nothing yet.
    pub fn hidden() -> Progress {
        Progress(ProgressBar::hidden())
    }

    /// Shows the bar for `total` objects, if stderr is a terminal.
    pub fn start(&self, total: usize) {
        if !io::stderr().is_terminal() {
            return;
        }
        let style = ProgressStyle::with_template(
            "{bar:30} {pos}/{len} objects  {rate} objects/s  {msg} alerts  {elapsed}",
        )
        // The template is a constant; if it ever failed to parse, the default bar still counts.
        .map(|style| {
            style.with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    // A sink that cannot fail: a String's.
                    let _ = write!(w, "{:.0}", state.per_sec());
                },
            )
        })
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        self.0.set_style(style);
        self.0.set_length(total as u64);
        self.0.set_message("0");
        self.0.set_draw_target(ProgressDrawTarget::stderr());
    }

    /// One more object done, and the alerts so far.
    pub fn object_done(&self, alerts: u64) {
        self.0.set_message(alerts.to_string());
        self.0.inc(1);
    }

    /// Takes the bar off the screen while `write` writes to the terminal, then draws it again
    /// below what was written.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        self.0.suspend(write)
    }

    /// Leaves the final count on screen (a finished bar is drawn, however fast it ran), and
    /// what follows on the lines below it.
    pub fn finish(&self) {
        if self.0.is_hidden() {
            return;
        }
        self.0.finish();
        self.0.set_draw_target(ProgressDrawTarget::hidden());
        // The bar leaves the cursor at its end; nothing more to do if stderr is gone.
        let _ = writeln!(io::stderr());
    }
}

/// Log lines go to stderr with the bar taken off the screen while each is written, then drawn
/// again below it.
impl<'a> MakeWriter<'a> for Progress {
    type Writer = LogLine<'a>;

    fn make_writer(&'a self) -> LogLine<'a> {
        LogLine(&self.0)
    }
}

/// One log event's bytes (the subscriber formats an event whole, then writes it).
pub struct LogLine<'a>(&'a ProgressBar);

impl Write for LogLine<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.suspend(|| io::stderr().lock().write_all(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}
