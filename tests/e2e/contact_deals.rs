//! Contact roles on deals end to end: associate, change the role, and the rows going with the
//! deal.

use ac_client::contact_deals::{ContactDealInput, ContactDealQuery};
use ac_client::contacts::ContactInput;
use ac_client::deals::DealInput;

use crate::setup;

#[tokio::test]
async fn a_contact_gets_a_role_on_a_deal_until_the_deal_goes() {
    let (_mock, client) = setup().await;
    let ada = client
        .contacts()
        .create(&ContactInput::new("ada@example.com"))
        .await
        .expect("contact");
    let bob = client
        .contacts()
        .create(&ContactInput::new("bob@example.com"))
        .await
        .expect("contact");
    let deal = client
        .deals()
        .create(
            &DealInput::new("Big deal")
                .contact(ada.id)
                .value(1000)
                .currency("usd"),
        )
        .await
        .expect("deal");
    let row = client
        .contact_deals()
        .create(ContactDealInput::new(bob.id, deal.id).role(2))
        .await
        .expect("association");
    assert_eq!(
        (row.contact, row.deal, row.role),
        (bob.id, deal.id, Some(2))
    );
    let err = client
        .contact_deals()
        .create(ContactDealInput::new(bob.id, deal.id))
        .await
        .expect_err("the pair exists");
    assert!(err.is_duplicate(), "{err}");
    let changed = client
        .contact_deals()
        .update(row.id, ContactDealInput::update().role(4))
        .await
        .expect("update");
    assert_eq!(changed.role, Some(4));
    let of_deal = client
        .contact_deals()
        .list(ContactDealQuery::new().deal(deal.id))
        .await
        .expect("list");
    assert_eq!(
        of_deal.items,
        [client.contact_deals().get(row.id).await.expect("get")]
    );

    client.deals().delete(deal.id).await.expect("delete deal");
    let err = client.contact_deals().get(row.id).await.expect_err("gone");
    assert!(err.is_not_found(), "{err}");
}
