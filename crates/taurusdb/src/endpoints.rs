//! Regional endpoints, from the spec's `servers` (generated into `SERVERS`).

use crate::generated::SERVERS;

/// The endpoint of `region`, if the spec lists the region.
///
/// ```
/// assert_eq!(
///     taurusdb::endpoints::for_region("tr-west-1").as_deref(),
///     Some("https://gaussdbformysql.tr-west-1.myhuaweicloud.com")
/// );
/// ```
pub fn for_region(region: &str) -> Option<String> {
    SERVERS
        .iter()
        .find(|(_, regions)| regions.contains(&region))
        .map(|(template, _)| template.replace("{region}", region))
}

/// Every region the spec lists, in its order.
pub fn regions() -> impl Iterator<Item = &'static str> {
    SERVERS
        .iter()
        .flat_map(|(_, regions)| regions.iter().copied())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_region_has_one_endpoint() {
        let all: Vec<_> = super::regions().collect();
        assert_eq!(all.len(), 19);
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            all.len(),
            "a region is listed under two servers"
        );
        assert_eq!(
            super::for_region("cn-east-5").as_deref(),
            Some("https://gaussdb-mysql.cn-east-5.myhuaweicloud.com")
        );
    }
}
