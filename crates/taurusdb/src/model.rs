//! Conveniences on the generated response types. Every field stays public as generated;
//! these only spare callers the `Option`s.

use crate::types::{
    CheckResult, DbConfigCheckResult, StarRocksReplicationConfig, TableConfigCheckResult,
};

impl StarRocksReplicationConfig {
    /// The database parameter checks (`database_info.db_config_check_results`, also when
    /// the server spells it `dbCfgCheckResults`); empty when absent or `null`.
    pub fn database_checks(&self) -> &[DbConfigCheckResult] {
        self.database_info
            .as_ref()
            .and_then(|d| d.db_config_check_results.as_deref())
            .unwrap_or_default()
    }

    /// The table checks (`table_infos`, also when the server spells it `table_info`); empty
    /// when absent or `null`.
    pub fn table_checks(&self) -> &[TableConfigCheckResult] {
        self.table_infos.as_deref().unwrap_or_default()
    }

    /// Whether every database and table check reports `success`. A check with no result, or
    /// with a value the API does not document (such as `failed`), does not pass.
    pub fn all_checks_passed(&self) -> bool {
        self.database_checks()
            .iter()
            .all(DbConfigCheckResult::passed)
            && self
                .table_checks()
                .iter()
                .all(TableConfigCheckResult::passed)
    }
}

impl DbConfigCheckResult {
    /// Whether the check reports `success`.
    pub fn passed(&self) -> bool {
        self.check_result == Some(CheckResult::Success)
    }
}

impl TableConfigCheckResult {
    /// Whether the check reports `success`.
    pub fn passed(&self) -> bool {
        self.check_result == Some(CheckResult::Success)
    }
}
