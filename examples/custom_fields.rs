//! Set custom field values by field *name*: text, multi-value and date fields.
//!
//! ```sh
//! cargo run --example custom_fields
//! ```
//!
//! A `FieldCatalog` fetches the account's fields once and resolves names by title or
//! personalisation tag ("Favourite Colours" = `FAVOURITE_COLOURS` = `favourite-colours`), then
//! encodes each value the way AC stores it for that field's type (`||a||b||` for multi-value
//! fields, `YYYY-MM-DD` for dates). A value that does not fit its field fails before sending.

mod common;

use ac_client::contacts::ContactInput;
use ac_client::encode::FieldCatalog;
use ac_client::fields::{FieldInput, FieldOptionInput, FieldType};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());

    // On the mock, create the fields a real account would already have.
    if target.is_mock() {
        client
            .fields()
            .create(&FieldInput::new("Company Size", FieldType::Text))
            .await?;
        let colours = client
            .fields()
            .create(&FieldInput::new("Favourite Colours", FieldType::Listbox))
            .await?;
        client
            .fields()
            .create_options(
                ["Red", "Green", "Blue"].map(|c| FieldOptionInput::new(colours.id, c, c)),
            )
            .await?;
        client
            .fields()
            .create(&FieldInput::new("Renewal Date", FieldType::Date))
            .await?;
        println!("created three fields on the mock");
    }

    let catalog = FieldCatalog::fetch(client).await?;
    println!("the account has {} custom field(s)", catalog.fields().len());

    let values = [
        catalog.field_value("company size", "50-100")?,
        catalog.field_value("FAVOURITE_COLOURS", vec!["Red", "Blue"])?,
        // Any ISO-8601 input works; a date field keeps the calendar date.
        catalog.field_value("renewal-date", "2027-03-01T09:30:00+01:00")?,
    ];
    let mut input = ContactInput::new("fields@example.com").first_name("Fay");
    for v in &values {
        println!("field {} <- {:?}", v.field, v.value);
        input = input.field_value(v.field, v.value.clone());
    }
    let synced = client.contacts().sync(&input).await?;
    println!("synced contact {}", synced.contact.id);

    for fv in client.field_values().of_contact(synced.contact.id).await? {
        let title = catalog
            .resolve(&fv.field.to_string())
            .map(|f| f.title.clone())
            .unwrap_or_default();
        println!("  {title}: {:?}", fv.value);
    }

    // A value that cannot be encoded for its field type is refused before anything is sent.
    match catalog.field_value("Renewal Date", "next spring") {
        Err(e) => println!("refused before sending: {e}"),
        Ok(v) => println!("unexpected: {v:?}"),
    }
    Ok(())
}
