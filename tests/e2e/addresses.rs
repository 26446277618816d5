//! Sender addresses end to end: create, the one default, update, delete.

use ac_client::addresses::{AddressInput, AddressQuery};

use crate::setup;

#[tokio::test]
async fn addresses_keep_one_default_and_delete() {
    let (_mock, client) = setup().await;
    let addresses = client.addresses();
    let first = addresses
        .create(AddressInput::new("Acme", "1 Main St", "us").city("Chicago"))
        .await
        .expect("first");
    assert_eq!(first.country, "US");
    assert_eq!(
        first.is_default,
        Some(true),
        "the first address is the default"
    );
    let second = addresses
        .create(AddressInput::new("Acme EU", "2 Rue", "FR").default_address(true))
        .await
        .expect("second");
    assert_eq!(second.is_default, Some(true));
    let first = addresses.get(first.id).await.expect("first again");
    assert_eq!(first.is_default, Some(false), "one default at a time");

    let updated = addresses
        .update(first.id, AddressInput::update().zip("60601"))
        .await
        .expect("update");
    assert_eq!(
        (updated.zip.as_str(), updated.city.as_str()),
        ("60601", "Chicago")
    );
    let err = addresses
        .update(first.id, AddressInput::update().company_name(" "))
        .await
        .expect_err("blank company");
    assert_eq!(err.field(), Some("company_name"));

    addresses.delete(second.id).await.expect("delete");
    let page = addresses.list(AddressQuery::new()).await.expect("list");
    assert_eq!(page.total, 1);
    assert!(addresses
        .get(second.id)
        .await
        .expect_err("gone")
        .is_not_found());
}
