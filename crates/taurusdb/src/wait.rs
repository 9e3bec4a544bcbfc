//! Waiting for an asynchronous job: the operation the spec marks `x-waiter` is polled, with a
//! bounded interval, until the status it reports is one of the spec's success or failure
//! values, or a timeout passes. The generated `Client::wait_for_<name>` builds a [`Waiter`];
//! nothing here names an operation or a field.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

use crate::{Error, ErrorKind, ResponseValue};

type Poll<'a, T> = Pin<Box<dyn Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a>>;
type OnStatus<'a> = Box<dyn Fn(&str) + Send + Sync + 'a>;

/// The shortest interval between two polls.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(100);
/// The longest interval between two polls.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(60);
/// The interval between polls unless set: the first poll is at once, the next ones start
/// at a second and double up to this.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(10);
/// How long a wait lasts unless set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A wait for a job: `.await` it for the job's last status response, once the job has
/// succeeded. A job that fails is an error of kind [`ErrorKind::JobFailed`]; one that has
/// not ended when the timeout passes, of kind [`ErrorKind::WaitTimeout`]. Either names the
/// job ID and its last status, so that the caller can look again.
#[must_use = "a wait does nothing until awaited"]
pub struct Waiter<'a, T> {
    poll: Box<dyn Fn() -> Poll<'a, T> + Send + Sync + 'a>,
    job: String,
    status: &'static str,
    success: &'static [&'static str],
    failure: &'static [&'static str],
    interval: Duration,
    timeout: Duration,
    on_status: Option<OnStatus<'a>>,
}

impl<'a, T: serde::Serialize + Send + 'a> Waiter<'a, T> {
    /// A wait for job `job`: `poll` asks for its status, found in each response at the JSON
    /// pointer `status`; `success` and `failure` list the values that end the wait.
    #[doc(hidden)]
    pub fn new(
        job: String,
        poll: impl Fn() -> Poll<'a, T> + Send + Sync + 'a,
        status: &'static str,
        success: &'static [&'static str],
        failure: &'static [&'static str],
    ) -> Self {
        Waiter {
            poll: Box::new(poll),
            job,
            status,
            success,
            failure,
            interval: DEFAULT_POLL_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            on_status: None,
        }
    }

    /// The longest interval between polls (default 10 s), kept between 100 ms and 60 s.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.interval = interval.clamp(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL);
        self
    }

    /// How long to wait in all (default 30 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called with the status of each poll (for a progress line).
    pub fn on_status(mut self, f: impl Fn(&str) + Send + Sync + 'a) -> Self {
        self.on_status = Some(Box::new(f));
        self
    }

    /// Polls until the job ends or the timeout passes.
    pub async fn wait(self) -> Result<ResponseValue<T>, Error> {
        let started = Instant::now();
        let mut delay = Duration::from_secs(1).min(self.interval);
        loop {
            let response = (self.poll)().await?;
            let status = status_of(&*response, self.status);
            let shown = status.as_deref().unwrap_or("(no status)");
            if let Some(f) = &self.on_status {
                f(shown);
            }
            if let Some(s) = status.as_deref() {
                if self.success.contains(&s) {
                    return Ok(response);
                }
                if self.failure.contains(&s) {
                    return Err(Error::new(
                        ErrorKind::JobFailed,
                        format!("job {} ended with status {s}", self.job),
                    )
                    .with_body(serde_json::to_string(&*response).unwrap_or_default()));
                }
            }
            let elapsed = started.elapsed();
            if elapsed + delay > self.timeout {
                return Err(Error::new(
                    ErrorKind::WaitTimeout,
                    format!(
                        "job {} has not ended after {:.0?} (last status: {shown})",
                        self.job, self.timeout
                    ),
                ));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.interval);
        }
    }

    /// The job's ID, as the wait was given it.
    pub fn job(&self) -> &str {
        &self.job
    }
}

impl<'a, T: serde::Serialize + Send + 'a> IntoFuture for Waiter<'a, T> {
    type Output = Result<ResponseValue<T>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

/// The status at `pointer` in a response, as text.
fn status_of<T: serde::Serialize>(body: &T, pointer: &str) -> Option<String> {
    let value = serde_json::to_value(body).ok()?;
    match value.pointer(pointer)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn waiter(
        statuses: &'static [&'static str],
    ) -> (Waiter<'static, serde_json::Value>, Arc<AtomicUsize>) {
        let polls = Arc::new(AtomicUsize::new(0));
        let counter = polls.clone();
        let w = Waiter::new(
            "job-1".to_string(),
            move || {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let status = statuses[n.min(statuses.len() - 1)];
                Box::pin(async move {
                    Ok(ResponseValue::new(
                        serde_json::json!({"job": {"status": status}}),
                        reqwest::StatusCode::OK,
                        Default::default(),
                    ))
                })
            },
            "/job/status",
            &["Completed"],
            &["Failed"],
        )
        .poll_interval(Duration::from_millis(100));
        (w, polls)
    }

    #[tokio::test(start_paused = true)]
    async fn polls_until_success_or_failure() {
        let (w, polls) = waiter(&["Running", "Running", "Completed"]);
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let done = w
            .on_status(move |s| log.lock().unwrap().push(s.to_string()))
            .await
            .unwrap();
        assert_eq!(done.into_inner()["job"]["status"], "Completed");
        assert_eq!(polls.load(Ordering::SeqCst), 3);
        assert_eq!(*seen.lock().unwrap(), ["Running", "Running", "Completed"]);

        let (w, _) = waiter(&["Running", "Failed"]);
        let e = w.await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::JobFailed);
        assert!(
            e.to_string().contains("job job-1 ended with status Failed"),
            "{e}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_job_that_does_not_end_is_a_timeout_naming_it() {
        let (w, polls) = waiter(&["Running"]);
        let started = tokio::time::Instant::now();
        let e = w.timeout(Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::WaitTimeout);
        assert!(e.to_string().contains("job job-1 has not ended"), "{e}");
        assert!(e.to_string().contains("last status: Running"), "{e}");
        assert!(started.elapsed() <= Duration::from_secs(5));
        // 100 ms intervals (the first poll at once): about 50 polls, never more.
        let n = polls.load(Ordering::SeqCst);
        assert!((40..=51).contains(&n), "{n}");
    }

    #[test]
    fn intervals_are_bounded() {
        let (w, _) = waiter(&["Running"]);
        assert_eq!(w.poll_interval(Duration::ZERO).interval, MIN_POLL_INTERVAL);
        let (w, _) = waiter(&["Running"]);
        assert_eq!(
            w.poll_interval(Duration::from_secs(3600)).interval,
            MAX_POLL_INTERVAL
        );
    }
}
