//! Running code that reports bugs by panicking (progenitor, typify) and turning a panic into
//! an error message, without the default hook printing a backtrace notice to stderr.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// `Some` while [`catch`] runs on this thread: the hook stores the message here.
    static CAPTURED: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let captured = CAPTURED.with(|c| {
                let mut c = c.borrow_mut();
                match c.as_mut() {
                    Some(slot) => {
                        let payload = info
                            .payload()
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| info.payload().downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "(no message)".to_string());
                        let location = info
                            .location()
                            .map(|l| format!(" (at {}:{})", l.file(), l.line()))
                            .unwrap_or_default();
                        *slot = format!("{payload}{location}");
                        true
                    }
                    None => false,
                }
            });
            if !captured {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic becomes `Err(message)`. Calls nest: an inner call leaves the outer one
/// capturing.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let outer = CAPTURED.with(|c| c.borrow_mut().replace(String::new()));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    let message = CAPTURED
        .with(|c| std::mem::replace(&mut *c.borrow_mut(), outer))
        .unwrap_or_default();
    result.map_err(|_| message)
}

#[cfg(test)]
mod tests {
    #[test]
    fn panics_become_messages() {
        let r: Result<(), String> =
            super::catch(|| panic!("assertion failed: response_types.len() <= 1"));
        let msg = r.unwrap_err();
        assert!(
            msg.starts_with("assertion failed: response_types.len() <= 1 (at "),
            "{msg}"
        );
        assert_eq!(super::catch(|| 7), Ok(7));
    }

    #[test]
    fn nested_catches_keep_capturing() {
        let outer: Result<(), String> = super::catch(|| {
            let inner: Result<(), String> = super::catch(|| panic!("inner"));
            assert!(inner.unwrap_err().starts_with("inner"));
            panic!("outer after inner");
        });
        assert!(
            outer.unwrap_err().starts_with("outer after inner"),
            "the outer panic was captured, not printed"
        );
    }
}
