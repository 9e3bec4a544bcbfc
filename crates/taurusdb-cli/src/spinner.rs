//! A spinner on stderr while a request is under way: only when stderr is a terminal, and only
//! once the request has taken longer than a moment, so quick calls and scripts see nothing.
//! A [`Progress`] line while `--wait` waits for a job, showing its last status.

use std::future::Future;
use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a request may take before the spinner appears.
pub const DELAY: Duration = Duration::from_millis(300);

/// Where a spinner would be drawn; `None` draws nothing.
pub type Target = Option<fn() -> ProgressDrawTarget>;

/// stderr when it is a terminal, else nothing.
pub fn stderr_if_terminal() -> Target {
    std::io::stderr()
        .is_terminal()
        .then_some(ProgressDrawTarget::stderr as fn() -> ProgressDrawTarget)
}

/// Awaits `future`. If it is not done after `delay`, shows a spinner with `message` on
/// `target` until it is, then clears the spinner's line.
pub async fn while_waiting<F: Future>(
    future: F,
    target: Option<impl FnOnce() -> ProgressDrawTarget>,
    delay: Duration,
    message: String,
) -> F::Output {
    let Some(target) = target else {
        return future.await;
    };
    let mut future = std::pin::pin!(future);
    tokio::select! {
        biased;
        output = &mut future => return output,
        () = tokio::time::sleep(delay) => {}
    }
    let spinner = ProgressBar::with_draw_target(None, target())
        .with_style(ProgressStyle::default_spinner())
        .with_message(message);
    spinner.enable_steady_tick(Duration::from_millis(100));
    let output = future.await;
    spinner.finish_and_clear();
    output
}

/// A progress line that says what a long wait is at (`--wait`): a spinner with a message the
/// waiter updates, on a terminal only; cleared when finished.
#[derive(Clone)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Starts the line on `target` (nothing without one) with `message`.
    pub fn start(target: Option<impl FnOnce() -> ProgressDrawTarget>, message: String) -> Progress {
        Progress(target.map(|target| {
            let bar = ProgressBar::with_draw_target(None, target())
                .with_style(ProgressStyle::default_spinner())
                .with_message(message);
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        }))
    }

    /// Shows `message` instead.
    pub fn set(&self, message: String) {
        if let Some(bar) = &self.0 {
            bar.set_message(message);
        }
    }

    /// Clears the line.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};

    use indicatif::TermLike;

    /// A terminal that records what is written to it.
    #[derive(Clone, Debug, Default)]
    struct Recorder(Arc<Mutex<String>>);

    impl Recorder {
        fn text(&self) -> String {
            self.0.lock().map(|t| t.clone()).unwrap_or_default()
        }
        fn push(&self, s: &str) -> io::Result<()> {
            if let Ok(mut t) = self.0.lock() {
                t.push_str(s);
            }
            Ok(())
        }
    }

    impl TermLike for Recorder {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.push(s)?;
            self.push("\n")
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.push(s)
        }
        fn clear_line(&self) -> io::Result<()> {
            self.push("<clear>")
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn target(r: &Recorder) -> Option<impl FnOnce() -> ProgressDrawTarget + use<>> {
        let r = r.clone();
        Some(move || ProgressDrawTarget::term_like(Box::new(r)))
    }

    #[tokio::test]
    async fn a_quick_call_shows_nothing() {
        let r = Recorder::default();
        let out = while_waiting(async { 7 }, target(&r), DELAY, "Querying".into()).await;
        assert_eq!(out, 7);
        assert_eq!(r.text(), "");
    }

    #[tokio::test]
    async fn a_slow_call_shows_a_spinner_after_the_delay_and_clears_it() {
        let r = Recorder::default();
        let seen_during = Arc::new(Mutex::new(String::new()));
        let (probe, seen) = (r.clone(), seen_during.clone());
        let slow = async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let early = probe.text();
            tokio::time::sleep(Duration::from_millis(400)).await;
            if let Ok(mut s) = seen.lock() {
                *s = probe.text();
            }
            early
        };
        let early = while_waiting(
            slow,
            target(&r),
            Duration::from_millis(150),
            "Querying".into(),
        )
        .await;
        assert_eq!(early, "", "nothing is drawn before the delay");
        let during = seen_during.lock().unwrap().clone();
        assert!(during.contains("Querying"), "{during:?}");
        assert!(
            r.text().ends_with("<clear>"),
            "the line is cleared: {:?}",
            r.text()
        );
    }

    #[tokio::test]
    async fn a_progress_line_shows_each_status_and_is_cleared() {
        let r = Recorder::default();
        let p = Progress::start(target(&r), "Waiting for job j1".into());
        p.set("Job j1: Running".into());
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(r.text().contains("Job j1: Running"), "{:?}", r.text());
        p.finish();
        assert!(r.text().ends_with("<clear>"), "{:?}", r.text());
        let none: Option<fn() -> ProgressDrawTarget> = None;
        let silent = Progress::start(none, "x".into());
        silent.set("y".into());
        silent.finish();
    }

    #[tokio::test]
    async fn no_target_draws_nothing() {
        let none: Option<fn() -> ProgressDrawTarget> = None;
        assert_eq!(
            while_waiting(async { 1 }, none, Duration::ZERO, String::new()).await,
            1
        );
    }
}
