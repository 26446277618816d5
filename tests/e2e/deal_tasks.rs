//! Tasks of deals and contacts, and task types, end to end.

use ac_client::contacts::ContactInput;
use ac_client::deal_tasks::{DealTaskInput, DealTaskQuery, DealTaskTypeInput, TaskOwner};
use ac_client::deals::DealInput;
use chrono::DateTime;
use futures_util::TryStreamExt;

use crate::setup;

#[tokio::test]
async fn tasks_attach_to_deals_and_contacts_and_go_with_their_deal() {
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
    let types = client.deal_task_types().list().await.expect("types");
    let call = types
        .iter()
        .find(|t| t.title == "Call")
        .expect("a Call type")
        .id;
    let due = DateTime::parse_from_rfc3339("2026-02-25T12:00:00-06:00").expect("date");
    let tasks = client.deal_tasks();
    let on_deal = tasks
        .create(DealTaskInput::new(deal.id, due, call).title("Call Ada"))
        .await
        .expect("deal task");
    assert_eq!(on_deal.owner(), Some(TaskOwner::Deal(deal.id)));
    assert_eq!(on_deal.duedate, Some(due));
    let on_contact = tasks
        .create(DealTaskInput::new(contact.id, due, call).note("follow up"))
        .await
        .expect("contact task");
    assert_eq!(on_contact.owner(), Some(TaskOwner::Contact(contact.id)));

    let done = tasks
        .update(on_deal.id, DealTaskInput::update().complete(true))
        .await
        .expect("complete");
    assert!(done.is_complete());
    assert_eq!(done.title.as_deref(), Some("Call Ada"));

    let of_deal = tasks
        .list(DealTaskQuery::new().owner(deal.id))
        .await
        .expect("list");
    assert_eq!(of_deal.total, 1);
    let open: Vec<_> = tasks
        .stream(DealTaskQuery::new().complete(false).limit(1))
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, on_contact.id);

    let err = tasks
        .create(DealTaskInput::new(ac_client::DealId(999), due, call))
        .await
        .expect_err("no such deal");
    assert_eq!(err.field(), Some("relid"), "{err}");

    client.deals().delete(deal.id).await.expect("delete deal");
    assert!(tasks
        .get(on_deal.id)
        .await
        .expect_err("gone")
        .is_not_found());
    tasks.get(on_contact.id).await.expect("contact task stays");
}

#[tokio::test]
async fn task_types_are_created_renamed_and_kept_while_used() {
    let (_mock, client) = setup().await;
    let types = client.deal_task_types();
    let demo = types
        .create(DealTaskTypeInput::new("Demo"))
        .await
        .expect("create");
    let err = types
        .create(DealTaskTypeInput::new("demo"))
        .await
        .expect_err("duplicate");
    assert!(err.is_duplicate(), "{err}");
    let renamed = types
        .update(demo.id, DealTaskTypeInput::update().title("Meeting"))
        .await
        .expect("rename");
    assert_eq!(renamed.title, "Meeting");

    let contact = client
        .contacts()
        .create(&ContactInput::new("bo@example.com"))
        .await
        .expect("contact");
    let due = DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z").expect("date");
    let task = client
        .deal_tasks()
        .create(DealTaskInput::new(contact.id, due, demo.id))
        .await
        .expect("task");
    types.delete(demo.id).await.expect_err("in use");
    client
        .deal_tasks()
        .delete(task.id)
        .await
        .expect("delete task");
    types.delete(demo.id).await.expect("delete type");
    assert!(types.get(demo.id).await.expect_err("gone").is_not_found());
}
