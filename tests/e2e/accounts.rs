//! Accounts, account contacts and deals, end to end.

use ac_client::accounts::{AccountContactInput, AccountContactQuery, AccountInput, AccountQuery};
use ac_client::contacts::ContactInput;
use ac_client::deals::{DealInput, DealQuery, DealStatus};

use crate::setup;

#[tokio::test]
async fn account_lifecycle_and_duplicate_names() {
    let (_mock, client) = setup().await;
    let accounts = client.accounts();
    let acme = accounts
        .create(&AccountInput::new("Acme").account_url("https://acme.example"))
        .await
        .expect("create");
    assert_eq!(acme.name, "Acme");
    assert_eq!(acme.account_url.as_deref(), Some("https://acme.example"));

    let err = accounts
        .create(&AccountInput::new("Acme"))
        .await
        .expect_err("duplicate name");
    assert!(err.is_duplicate(), "{err}");
    assert_eq!(err.field(), Some("name"));

    let renamed = accounts
        .update(acme.id, &AccountInput::update().name("Acme Inc"))
        .await
        .expect("update");
    assert_eq!(renamed.name, "Acme Inc");
    let found = accounts
        .list(&AccountQuery::new().search("Inc"))
        .await
        .expect("search");
    assert_eq!(found.total, 1);

    accounts.delete(acme.id).await.expect("delete");
    assert!(accounts
        .get(acme.id)
        .await
        .expect_err("gone")
        .is_not_found());
}

#[tokio::test]
async fn a_contact_belongs_to_at_most_one_account() {
    let (_mock, client) = setup().await;
    let one = client
        .accounts()
        .create(&AccountInput::new("One"))
        .await
        .expect("one");
    let two = client
        .accounts()
        .create(&AccountInput::new("Two"))
        .await
        .expect("two");
    let contact = client
        .contacts()
        .create(&ContactInput::new("member@example.com"))
        .await
        .expect("contact");
    let links = client.accounts().contacts();
    let link = links
        .create(&AccountContactInput::new(contact.id, one.id).job_title("CTO"))
        .await
        .expect("link");
    let err = links
        .create(&AccountContactInput::new(contact.id, two.id))
        .await
        .expect_err("second account");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(err.code(), Some("field_invalid"));

    let of_contact = links.of_contact(contact.id).await.expect("of contact");
    assert_eq!(of_contact.len(), 1);
    assert_eq!(of_contact[0].id, link.id);
    let on_one = links
        .list(&AccountContactQuery::new().account(one.id))
        .await
        .expect("filter by account");
    assert_eq!(on_one.total, 1);

    // Deleting the contact removes the association.
    client.contacts().delete(contact.id).await.expect("delete");
    let on_one = links
        .list(&AccountContactQuery::new().account(one.id))
        .await
        .expect("filter by account");
    assert_eq!(on_one.total, 0);
}

#[tokio::test]
async fn deal_lifecycle_in_cents_with_lower_case_currency() {
    let (_mock, client) = setup().await;
    let contact = client
        .contacts()
        .create(&ContactInput::new("deal@example.com"))
        .await
        .expect("contact");
    let deals = client.deals();
    let deal = deals
        .create(
            &DealInput::new("Big one")
                .contact(contact.id)
                .value(10_000)
                .currency("USD"),
        )
        .await
        .expect("create");
    assert_eq!(deal.value, Some(10_000));
    assert_eq!(deal.currency.as_deref(), Some("usd"));
    assert_eq!(deal.status, Some(DealStatus::Open));

    let fetched = deals.get(deal.id).await.expect("get");
    assert_eq!(
        fetched.value,
        Some(10_000),
        "a string on GET, read as a number"
    );

    let lost = deals
        .update(deal.id, &DealInput::update().status(DealStatus::Lost))
        .await
        .expect("update");
    assert_eq!(lost.status, Some(DealStatus::Lost));

    let page = deals.list(&DealQuery::new()).await.expect("list");
    assert_eq!(page.total, 1);

    deals.delete(deal.id).await.expect("delete");
    assert!(deals.get(deal.id).await.expect_err("gone").is_not_found());
}

#[tokio::test]
async fn bad_deals_are_refused_before_sending() {
    let (_mock, client) = setup().await;
    let deals = client.deals();
    for (input, field) in [
        (DealInput::new("No owner of any kind"), None),
        (
            DealInput::new("Negative").contact(1u64).value(-1),
            Some("value"),
        ),
        (
            DealInput::new("Bad currency")
                .contact(1u64)
                .currency("dollars"),
            Some("currency"),
        ),
    ] {
        let err = deals.create(&input).await.expect_err("refused");
        assert!(err.status().is_none(), "nothing was sent: {err}");
        if let Some(field) = field {
            assert_eq!(err.field(), Some(field));
        }
    }
}
