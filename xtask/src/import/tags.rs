//! API Explorer's operation groups (its `tags`, in Chinese) as the spec's tags: an English
//! name, a description, and `x-rust-feature`, the cargo feature of the generated crates that
//! gates the tag's operations.
//!
//! The English names are those of the sections of Huawei's English API reference where it
//! has them (`HTAP (Standard Edition)`, `Backup Management`, `Database Proxy`, ...); the
//! descriptions are ours. A tag the table does not know keeps its name, and its feature is
//! its name transliterated to ASCII (`deunicode`) in kebab case, so that the same tag always
//! gets the same feature; the import says so, so that it can be added here.

use serde_json::{Value, json};

/// One group: API Explorer's name, the spec's, the feature, what the group is for.
pub struct Group {
    pub vendor: &'static str,
    pub name: &'static str,
    pub feature: &'static str,
    pub description: &'static str,
}

/// Every group of the TaurusDB definitions (`openapi/vendor/corpus/`), by how many
/// operations it has.
pub const GROUPS: &[Group] = &[
    Group {
        vendor: "实例管理",
        name: "Instance Management",
        feature: "instances",
        description: "TaurusDB instances and their nodes: creating, listing, resizing, rebooting and deleting them.",
    },
    Group {
        vendor: "HTAP-标准版",
        name: "HTAP (Standard Edition)",
        feature: "htap-standard",
        description: "StarRocks instances of TaurusDB HTAP (Standard Edition) and their data synchronization.",
    },
    Group {
        vendor: "HTAP-轻量版",
        name: "HTAP (Lite Edition)",
        feature: "htap-lite",
        description: "ClickHouse instances of TaurusDB HTAP (Lite Edition) and their data synchronization.",
    },
    Group {
        vendor: "备份管理",
        name: "Backup Management",
        feature: "backups",
        description: "Backups, backup policies and backup resource packages.",
    },
    Group {
        vendor: "数据库代理",
        name: "Database Proxy",
        feature: "proxy",
        description: "Read/write splitting proxies of an instance.",
    },
    Group {
        vendor: "参数模板管理",
        name: "Parameter Template Management",
        feature: "parameter-templates",
        description: "Parameter templates and the parameters of instances.",
    },
    Group {
        vendor: "日志管理",
        name: "Log Management",
        feature: "logs",
        description: "Error logs, slow query logs and their export.",
    },
    Group {
        vendor: "数据库用户管理",
        name: "Database User Management",
        feature: "database-users",
        description: "Database accounts of an instance and their privileges.",
    },
    Group {
        vendor: "任务中心",
        name: "Task Center",
        feature: "tasks",
        description: "Asynchronous jobs and scheduled tasks.",
    },
    Group {
        vendor: "智能诊断",
        name: "Intelligent Diagnosis",
        feature: "diagnosis",
        description: "Diagnosis of instances: sessions, abnormal metrics and their reports.",
    },
    Group {
        vendor: "无锁变更",
        name: "Lock-Free Schema Change",
        feature: "lock-free-changes",
        description: "Schema changes made without locking tables, and their tasks.",
    },
    Group {
        vendor: "数据库管理",
        name: "Database Management",
        feature: "databases",
        description: "Databases of an instance.",
    },
    Group {
        vendor: "流量管理",
        name: "Traffic Management",
        feature: "traffic",
        description: "Traffic control of an instance.",
    },
    Group {
        vendor: "配额管理",
        name: "Quota Management",
        feature: "quotas",
        description: "Resource quotas of a tenant.",
    },
    Group {
        vendor: "标签管理",
        name: "Tag Management",
        feature: "tags",
        description: "Resource tags of instances.",
    },
    Group {
        vendor: "SQL限流",
        name: "SQL Throttling",
        feature: "sql-throttling",
        description: "Rules that limit the concurrency of SQL statements.",
    },
    Group {
        vendor: "冷热分离",
        name: "Hot and Cold Data Separation",
        feature: "cold-data",
        description: "Moving cold data of an instance to cheaper storage.",
    },
    Group {
        vendor: "查询数据库引擎的版本",
        name: "Database Engine Versions",
        feature: "engine-versions",
        description: "The database engine versions that can be created.",
    },
    Group {
        vendor: "查询数据库规格",
        name: "Database Specifications",
        feature: "flavors",
        description: "The instance specifications (flavors) that can be created.",
    },
];

/// The spec's tag for one of API Explorer's: (tag object, known to the table).
pub fn tag(vendor: &str) -> (Value, bool) {
    match GROUPS
        .iter()
        .find(|g| g.vendor == vendor || g.name == vendor)
    {
        Some(g) => (
            json!({
                "name": g.name,
                "description": g.description,
                "x-rust-feature": g.feature,
                "x-vendor-name": g.vendor,
            }),
            true,
        ),
        None => (
            json!({"name": vendor, "x-rust-feature": feature_name(vendor)}),
            false,
        ),
    }
}

/// A cargo feature name for any tag: ASCII letters and digits in kebab case.
pub fn feature_name(tag: &str) -> String {
    // Each character transliterated on its own, as a word of its own.
    let ascii: String = tag
        .chars()
        .map(|c| match c {
            c if c.is_ascii() => c.to_string(),
            c => format!(" {} ", deunicode::deunicode_char(c).unwrap_or("")),
        })
        .collect();
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            // A lowercase-to-uppercase step starts a word (`HotData` -> `hot-data`).
            if c.is_ascii_uppercase()
                && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        prev = Some(c);
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() || !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!("tag-{out}").trim_end_matches('-').to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_tags() {
        let (t, known) = tag("HTAP-标准版");
        assert!(known);
        assert_eq!(t["name"], "HTAP (Standard Edition)");
        assert_eq!(t["x-rust-feature"], "htap-standard");
        let (t, known) = tag("新的分组");
        assert!(!known);
        assert_eq!(
            t,
            json!({"name": "新的分组", "x-rust-feature": "xin-de-fen-zu"})
        );
        assert_eq!(feature_name("SQL限流"), "sql-xian-liu");
        assert_eq!(feature_name("HotData 2"), "hot-data-2");
        assert_eq!(feature_name("2024"), "tag-2024");
        assert_eq!(feature_name("!!"), "tag");
    }

    #[test]
    fn features_are_cargo_feature_names_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for g in GROUPS {
            assert!(
                g.feature
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                g.feature
            );
            assert!(seen.insert(g.feature), "{} twice", g.feature);
            assert_eq!(feature_name(g.feature), g.feature);
        }
    }
}
