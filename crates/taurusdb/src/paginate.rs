//! Paginated lists as streams: every page of an operation the spec marks `x-paginated`, one
//! request after another, following the offset until the total the pages report (or an
//! empty or short page). The generated request types build them (`pages`, `items`); nothing
//! here names an operation or a field.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::{Error, ResponseValue};

type PageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a>>;

/// The most pages a stream asks for: a server whose total never comes within reach (one
/// that ignores the offset, say) ends the stream here instead of looping for ever.
pub const MAX_PAGES: u64 = 10_000;

/// The pages of a list, in order: a [`Stream`] of each page's response. It asks for the next
/// page (offset advanced by the items received) while the items so far are fewer than the
/// page's total; a page without items, or without a total and with fewer items than the
/// first, ends it. A failed request ends it after yielding the error.
#[must_use = "a stream does nothing until polled"]
pub struct Pages<'a, T> {
    fetch: Box<dyn FnMut(u64) -> PageFuture<'a, T> + Send + 'a>,
    progress: fn(&T) -> (usize, Option<u64>),
    seen: u64,
    first_len: Option<usize>,
    pages: u64,
    pending: Option<PageFuture<'a, T>>,
    done: bool,
}

impl<'a, T> Pages<'a, T> {
    /// Pages from `offset`; `fetch` sends the request of one page (at the offset it is
    /// given), `progress` reads a page's number of items and its total.
    #[doc(hidden)]
    pub fn new(
        offset: u64,
        fetch: impl FnMut(u64) -> PageFuture<'a, T> + Send + 'a,
        progress: fn(&T) -> (usize, Option<u64>),
    ) -> Self {
        Pages {
            fetch: Box::new(fetch),
            progress,
            seen: offset,
            first_len: None,
            pages: 0,
            pending: None,
            done: false,
        }
    }

    /// Whether another page is due after one with `len` items and this `total`.
    fn more(&mut self, len: usize, total: Option<u64>) -> bool {
        self.seen += len as u64;
        let first = *self.first_len.get_or_insert(len);
        if len == 0 || self.pages >= MAX_PAGES {
            return false;
        }
        match total {
            Some(total) => self.seen < total,
            None => len >= first,
        }
    }
}

impl<T> Stream for Pages<'_, T> {
    type Item = Result<ResponseValue<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let pending = match &mut this.pending {
            Some(p) => p,
            None => {
                this.pages += 1;
                let offset = this.seen;
                this.pending.insert((this.fetch)(offset))
            }
        };
        let page = match pending.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(page) => page,
        };
        this.pending = None;
        match page {
            Ok(page) => {
                let (len, total) = (this.progress)(&page);
                if !this.more(len, total) {
                    this.done = true;
                }
                Poll::Ready(Some(Ok(page)))
            }
            Err(e) => {
                this.done = true;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

impl<'a, T> Pages<'a, T> {
    /// The items of every page, in order (each page's items taken by `items`).
    pub fn items<I>(self, items: fn(T) -> Vec<I>) -> Items<'a, T, I> {
        Items {
            pages: self,
            items,
            buffer: Vec::new().into_iter(),
        }
    }
}

/// The items of a paginated list, one after another across its pages: a [`Stream`] of
/// each item (a failed page request is yielded as an error and ends it).
#[must_use = "a stream does nothing until polled"]
pub struct Items<'a, T, I> {
    pages: Pages<'a, T>,
    items: fn(T) -> Vec<I>,
    buffer: std::vec::IntoIter<I>,
}

impl<T, I: Unpin> Stream for Items<'_, T, I> {
    type Item = Result<I, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => {
                    this.buffer = (this.items)(page.into_inner()).into_iter();
                }
            }
        }
    }
}

/// A count as a page states it: a number, or a string of digits (Huawei's list responses
/// send `total_count` as a string), in any of the generated field types.
#[doc(hidden)]
pub fn count<V: serde::Serialize>(value: &V) -> Option<u64> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The offset a request was given (as its parameter's type), or 0.
#[doc(hidden)]
pub fn start<V: std::fmt::Display>(value: &Option<Result<V, String>>) -> u64 {
    match value {
        Some(Ok(v)) => v.to_string().trim().parse().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: usize, total: Option<u64>) -> ResponseValue<(usize, Option<u64>)> {
        ResponseValue::new((items, total), reqwest::StatusCode::OK, Default::default())
    }

    /// The offsets a stream asks for, given the pages a server answers at each offset.
    fn offsets(
        start: u64,
        answer: impl Fn(u64) -> (usize, Option<u64>) + Send + Sync + 'static,
    ) -> Vec<u64> {
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = asked.clone();
        let answer = std::sync::Arc::new(answer);
        let pages = Pages::new(
            start,
            move |offset| {
                log.lock().unwrap().push(offset);
                let (n, total) = answer(offset);
                Box::pin(async move { Ok(page(n, total)) })
            },
            |p: &(usize, Option<u64>)| *p,
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut pages = std::pin::pin!(pages);
            while let Some(p) =
                std::future::poll_fn(|cx| Stream::poll_next(pages.as_mut(), cx)).await
            {
                p.unwrap();
            }
        });
        asked.lock().unwrap().clone()
    }

    #[test]
    fn follows_the_offset_until_the_total() {
        assert_eq!(
            offsets(0, |o| ((5 - o.min(5) as usize).min(2), Some(5))),
            [0, 2, 4]
        );
        assert_eq!(offsets(3, |_| (2, Some(5))), [3]);
    }

    #[test]
    fn without_a_total_a_short_or_empty_page_ends_it() {
        assert_eq!(
            offsets(0, |o| if o < 6 { (3, None) } else { (1, None) }),
            [0, 3, 6]
        );
        assert_eq!(
            offsets(0, |o| if o == 0 { (3, None) } else { (0, None) }),
            [0, 3]
        );
        // A total the pages never reach (a server that ignores the offset) still ends.
        assert_eq!(offsets(0, |_| (0, Some(10))), [0]);
    }

    #[test]
    fn counts_from_numbers_and_digit_strings() {
        assert_eq!(count(&Some("12")), Some(12));
        assert_eq!(count(&Some(7i32)), Some(7));
        assert_eq!(count(&Option::<String>::None), None);
        assert_eq!(count(&Some("many")), None);
        assert_eq!(start(&Some(Ok::<_, String>(4i32))), 4);
        assert_eq!(start(&Some(Ok::<_, String>("9".to_string()))), 9);
        assert_eq!(start::<i32>(&None), 0);
    }
}
