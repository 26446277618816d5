//! Notes on contacts, deals, accounts and tasks, end to end.

use ac_client::accounts::AccountInput;
use ac_client::contacts::ContactInput;
use ac_client::deal_tasks::DealTaskInput;
use ac_client::deals::DealInput;
use ac_client::notes::NoteOwner;
use chrono::DateTime;

use crate::setup;

#[tokio::test]
async fn notes_attach_to_their_owner_and_go_with_it() {
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
    let account = client
        .accounts()
        .create(&AccountInput::new("Acme"))
        .await
        .expect("account");
    let due = DateTime::parse_from_rfc3339("2026-02-25T12:00:00Z").expect("date");
    let task = client
        .deal_tasks()
        .create(DealTaskInput::new(deal.id, due, 1u64))
        .await
        .expect("task");

    let notes = client.notes();
    let on_contact = notes
        .create(contact.id, "likes tea")
        .await
        .expect("contact note");
    assert_eq!(on_contact.owner(), Some(NoteOwner::Contact(contact.id)));
    let on_deal = notes
        .create(deal.id, "wants a discount")
        .await
        .expect("deal note");
    notes
        .create(account.id, "key account")
        .await
        .expect("account note");
    let on_task = notes.create(task.id, "call at 9").await.expect("task note");

    let edited = notes
        .update(on_deal.id, "wants 10% off")
        .await
        .expect("update");
    assert_eq!(edited.note, "wants 10% off");
    assert_eq!(edited.owner(), Some(NoteOwner::Deal(deal.id)));
    let of_deal = notes
        .of(NoteOwner::Deal(deal.id))
        .await
        .expect("deal notes");
    assert_eq!(of_deal.total, 1);
    assert_eq!(of_deal.items[0].note, "wants 10% off");
    let of_task = notes
        .of(NoteOwner::Task(task.id))
        .await
        .expect("task notes");
    assert_eq!(of_task.items[0].id, on_task.id);

    let err = notes
        .create(ac_client::DealId(999), "nobody")
        .await
        .expect_err("no such deal");
    assert_eq!(err.field(), Some("relid"), "{err}");

    // Deleting the deal takes its notes, its tasks and their notes with it.
    client.deals().delete(deal.id).await.expect("delete deal");
    assert!(notes
        .get(on_deal.id)
        .await
        .expect_err("gone")
        .is_not_found());
    assert!(notes
        .get(on_task.id)
        .await
        .expect_err("gone")
        .is_not_found());
    client
        .accounts()
        .delete(account.id)
        .await
        .expect("delete account");
    let left = notes
        .of(NoteOwner::Contact(contact.id))
        .await
        .expect("contact notes");
    assert_eq!(left.total, 1);
    notes.delete(on_contact.id).await.expect("delete");
    assert!(notes
        .get(on_contact.id)
        .await
        .expect_err("gone")
        .is_not_found());
}
