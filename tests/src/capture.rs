//! A `tracing` layer that keeps every span (with its fields) and event, to check what the
//! client logs.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// A span: its name and the fields recorded on it.
#[derive(Clone, Debug, Default)]
pub struct CapturedSpan {
    pub name: String,
    pub fields: BTreeMap<String, String>,
}

/// Everything captured.
#[derive(Clone, Debug, Default)]
pub struct Captured {
    pub spans: Vec<CapturedSpan>,
    pub events: Vec<BTreeMap<String, String>>,
}

impl Captured {
    /// Every span name, field and event as text, to search for what must not be there.
    pub fn all_text(&self) -> String {
        format!("{self:?}")
    }
}

/// The layer; clone [`CaptureLayer::captured`] before installing it.
#[derive(Clone, Default)]
pub struct CaptureLayer {
    pub captured: Arc<Mutex<Captured>>,
    ids: Arc<Mutex<BTreeMap<u64, usize>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for CaptureLayer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut span = CapturedSpan {
            name: attrs.metadata().name().to_string(),
            ..Default::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        let mut c = self.captured.lock().unwrap();
        self.ids
            .lock()
            .unwrap()
            .insert(id.into_u64(), c.spans.len());
        c.spans.push(span);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let Some(&i) = self.ids.lock().unwrap().get(&id.into_u64()) else {
            return;
        };
        values.record(&mut Fields(
            &mut self.captured.lock().unwrap().spans[i].fields,
        ));
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.captured.lock().unwrap().events.push(fields);
    }
}
