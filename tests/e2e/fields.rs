//! Custom fields, options and values, end to end.

use ac_client::contacts::{ContactInput, ContactUpdate};
use ac_client::encode::FieldCatalog;
use ac_client::fields::{FieldInput, FieldOptionInput, FieldQuery, FieldType, FieldValueQuery};

use crate::setup;

#[tokio::test]
async fn field_lifecycle_with_options_and_perstag() {
    let (_mock, client) = setup().await;
    let fields = client.fields();
    let colour = fields
        .create(&FieldInput::new("Favourite Colour", FieldType::Dropdown))
        .await
        .expect("create");
    assert_eq!(colour.perstag, "FAVOURITE_COLOUR");

    let err = fields
        .create(&FieldInput::new("Favourite Colour", FieldType::Text))
        .await
        .expect_err("same title");
    assert!(err.is_duplicate(), "{err}");

    let options = fields
        .create_options(vec![
            FieldOptionInput::new(colour.id, "red", "Red"),
            FieldOptionInput::new(colour.id, "blue", "Blue"),
        ])
        .await
        .expect("options");
    assert_eq!(options.len(), 2);

    let with = fields.get(colour.id).await.expect("get");
    assert_eq!(with.field.options.len(), 2);

    let by_tag = fields
        .list(&FieldQuery::new().perstag("FAVOURITE_COLOUR"))
        .await
        .expect("by perstag");
    assert_eq!(by_tag.total, 1);

    fields.delete(colour.id).await.expect("delete");
    assert!(fields
        .get(colour.id)
        .await
        .expect_err("gone")
        .is_not_found());
}

#[tokio::test]
async fn values_set_by_name_are_encoded_and_upserted() {
    let (_mock, client) = setup().await;
    let fields = client.fields();
    let values = client.field_values();
    fields
        .create(&FieldInput::new("Interests", FieldType::Listbox))
        .await
        .expect("listbox");
    fields
        .create(&FieldInput::new("Birthday", FieldType::Date))
        .await
        .expect("date");
    fields
        .create(&FieldInput::new("Company", FieldType::Text))
        .await
        .expect("text");
    let catalog = FieldCatalog::fetch(&client).await.expect("catalog");

    let interests = catalog
        .field_value("interests", vec!["Rust", "Chess"])
        .expect("encode");
    let birthday = catalog
        .field_value("BIRTHDAY", "1990-07-04T23:30:00-05:00")
        .expect("encode");
    let synced = client
        .contacts()
        .sync(
            &ContactInput::new("v@example.com")
                .field_value(interests.field, interests.value.clone())
                .field_value(birthday.field, birthday.value.clone()),
        )
        .await
        .expect("sync with values");
    let contact = synced.contact.id;

    let stored = values.of_contact(contact).await.expect("values");
    let get = |field| {
        stored
            .iter()
            .find(|v| v.field == field)
            .map(|v| v.value.clone())
    };
    assert_eq!(get(interests.field).as_deref(), Some("||Rust||Chess||"));
    assert_eq!(get(birthday.field).as_deref(), Some("1990-07-04"));

    // A second write to the same (contact, field) updates rather than duplicates.
    let company = catalog.resolve("company").expect("company").id;
    let first = values.set(contact, company, "Acme").await.expect("set");
    let second = values
        .set(contact, company, "Initech")
        .await
        .expect("set again");
    assert_eq!(first.id, second.id);
    let read = values.get(first.id).await.expect("get value");
    assert_eq!(read.value, "Initech");

    // Inline values on update land too.
    client
        .contacts()
        .update(
            contact,
            &ContactUpdate::new().field_value(company, "Globex"),
        )
        .await
        .expect("update with value");
    let listed = values
        .list(&FieldValueQuery::new().field(company))
        .await
        .expect("list values");
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].value, "Globex");

    // Deleting the contact removes its values.
    client
        .contacts()
        .delete(contact)
        .await
        .expect("delete contact");
    let listed = values
        .list(&FieldValueQuery::new().field(company))
        .await
        .expect("list values");
    assert_eq!(listed.total, 0);
}

#[tokio::test]
async fn values_that_do_not_fit_their_field_fail_before_sending() {
    let (_mock, client) = setup().await;
    client
        .fields()
        .create(&FieldInput::new("Birthday", FieldType::Date))
        .await
        .expect("date");
    let catalog = FieldCatalog::fetch(&client).await.expect("catalog");
    let err = catalog
        .field_value("Birthday", "someday")
        .expect_err("not a date");
    assert!(err.to_string().contains("Birthday"), "{err}");
    let err = catalog
        .field_value("No Such Field", "x")
        .expect_err("unknown");
    assert!(err.to_string().contains("No Such Field"), "{err}");
}
