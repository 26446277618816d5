//! Deal and account custom fields, end to end.

use ac_client::accounts::AccountInput;
use ac_client::contacts::ContactInput;
use ac_client::deals::DealInput;
use ac_client::record_fields::{
    RecordFieldInput, RecordFieldType, RecordValueInput, RecordValueQuery,
};
use chrono::NaiveDate;

use crate::setup;

#[tokio::test]
async fn deal_fields_encode_per_type_and_show_on_the_deal() {
    let (_mock, client) = setup().await;
    let contact = client
        .contacts()
        .create(&ContactInput::new("ada@example.com"))
        .await
        .expect("contact");
    let deal = client
        .deals()
        .create(&DealInput::new("Renewal").contact(contact.id))
        .await
        .expect("deal");
    let fields = client.deal_fields();
    let tags = fields
        .create(
            RecordFieldInput::new("Tags", RecordFieldType::Multiselect).options(["a", "b", "c"]),
        )
        .await
        .expect("multiselect");
    let due = fields
        .create(RecordFieldInput::new("Due", RecordFieldType::Date))
        .await
        .expect("date");
    let v = fields
        .create_value(RecordValueInput::encode(deal.id, &tags, vec!["a", "c"]).expect("encode"))
        .await
        .expect("value");
    assert_eq!(v.value, "||a||c||");
    let date = NaiveDate::from_ymd_opt(2026, 5, 1).expect("date");
    fields
        .create_value(RecordValueInput::encode(deal.id, &due, date).expect("encode"))
        .await
        .expect("date value");
    let dup = fields
        .create_value(RecordValueInput::encode(deal.id, &due, date).expect("encode"))
        .await
        .expect_err("one value per deal and field");
    assert!(dup.is_duplicate(), "{dup}");

    let updated = fields
        .update_value(
            v.id,
            RecordValueInput::encode(deal.id, &tags, vec!["b"]).expect("encode"),
        )
        .await
        .expect("update");
    assert_eq!(updated.value, "||b||");
    let read = client.deals().get(deal.id).await.expect("deal");
    assert!(read
        .fields
        .iter()
        .any(|f| f.custom_field_id == tags.id.get() && f.field_value == "||b||"));
    let of_deal = fields.values_of(deal.id).await.expect("values");
    assert_eq!(of_deal.total, 2);

    fields.delete(due.id).await.expect("delete field");
    assert_eq!(fields.values_of(deal.id).await.expect("values").total, 1);
    client.deals().delete(deal.id).await.expect("delete deal");
    let left = fields
        .list_values(RecordValueQuery::new())
        .await
        .expect("values");
    assert_eq!(left.total, 0);
}

#[tokio::test]
async fn account_fields_are_their_own_set() {
    let (_mock, client) = setup().await;
    let account = client
        .accounts()
        .create(&AccountInput::new("Acme"))
        .await
        .expect("account");
    client
        .deal_fields()
        .create(RecordFieldInput::new("Deal only", RecordFieldType::Text))
        .await
        .expect("deal field");
    let fields = client.account_fields();
    let budget = fields
        .create(RecordFieldInput::new("Budget", RecordFieldType::Currency))
        .await
        .expect("currency field");
    assert_eq!(budget.id.get(), 1, "account fields number their own ids");
    assert_eq!(fields.list().await.expect("list").total, 1);
    let v = fields
        .create_value(
            RecordValueInput::encode(account.id, &budget, 150_000i64)
                .expect("encode")
                .currency("eur")
                .expect("currency"),
        )
        .await
        .expect("value");
    assert_eq!(
        (v.value.as_str(), v.currency.as_deref()),
        ("150000", Some("EUR"))
    );
    assert_eq!(v.record, Some(account.id.get()));
    let got = fields.get_value(v.id).await.expect("get");
    assert_eq!(got.field, Some(budget.id));
    fields.delete_value(v.id).await.expect("delete");
    assert!(fields
        .get_value(v.id)
        .await
        .expect_err("gone")
        .is_not_found());
}
