//! Brandings end to end: the account's branding 1, read and updated.

use ac_client::brandings::{BrandingQuery, BrandingUpdate};
use serde_json::json;

use crate::setup;

#[tokio::test]
async fn branding_one_is_read_and_updated() {
    let (_mock, client) = setup().await;
    let brandings = client.brandings();
    let page = brandings.list(BrandingQuery::new()).await.expect("list");
    assert_eq!(page.total, 1);
    let first = &page.items[0];
    let me = client.users().me().await.expect("me");
    assert_eq!(first.group, me.group, "the admin group's branding");

    let updated = brandings
        .update(
            first.id,
            BrandingUpdate::new()
                .site_name("Acme Mail")
                .site_logo("https://acme.example/logo.png")
                .flag("links", false),
        )
        .await
        .expect("update");
    assert_eq!(updated.site_name, "Acme Mail");
    let read = brandings.get(first.id).await.expect("get");
    assert_eq!(
        read.site_logo.as_deref(),
        Some("https://acme.example/logo.png")
    );
    assert_eq!(read.extra["links"], json!("0"));
    assert_eq!(read.extra["copyright"], json!("1"), "unsent settings stay");
    assert!(brandings.get(99).await.expect_err("unknown").is_not_found());
}
