use ac_client::notes::NoteOwner;
use ac_client::{AccountId, ContactId, DealId, NoteId};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing, TOKEN};

fn note_json(id: u64, text: &str, reltype: &str, relid: u64) -> Value {
    json!({"id": id.to_string(), "note": text, "reltype": reltype, "relid": relid.to_string(),
        "userid": "1", "cdate": "2017-05-31T09:32:40-05:00", "mdate": "2017-05-31T09:32:40-05:00",
        "owner": {"type": "deal", "id": relid.to_string()}, "links": {}})
}

#[tokio::test]
async fn note_crud_exact_shapes() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/notes"))
        .and(header("Api-Token", TOKEN))
        .and(body_json(
            json!({"note": {"note": "Call me", "reltype": "Deal", "relid": "5"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"deals": [], "note": note_json(2, "Call me", "Deal", 5)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/notes/2"))
        .and(body_json(json!({"note": {"note": "Edited"}})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"note": note_json(2, "Edited", "Deal", 5)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/notes/2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"note": note_json(2, "Edited", "Deal", 5)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/notes/2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let notes = client.notes();
    let n = notes.create(DealId(5), "Call me").await.unwrap();
    assert_eq!(n.id, NoteId(2));
    assert_eq!(n.owner(), Some(NoteOwner::Deal(DealId(5))));
    assert_eq!(notes.update(2, "Edited").await.unwrap().note, "Edited");
    assert_eq!(notes.get(2).await.unwrap().note, "Edited");
    notes.delete(2).await.unwrap();
}

#[tokio::test]
async fn notes_of_an_owner_use_its_path() {
    let (server, client) = setup().await;
    for (p, reltype, relid) in [
        ("/api/3/contacts/3/notes", "Subscriber", 3),
        ("/api/3/deals/4/notes", "Deal", 4),
        ("/api/3/accounts/5/notes", "CustomerAccount", 5),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .and(query_param("limit", "100"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"notes": [note_json(1, "n", reltype, relid)], "meta": {"total": "1"}}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let notes = client.notes();
    let of_contact = notes.of(NoteOwner::Contact(ContactId(3))).await.unwrap();
    assert_eq!(
        of_contact.items[0].owner(),
        Some(NoteOwner::Contact(ContactId(3)))
    );
    assert_eq!(notes.of(NoteOwner::Deal(DealId(4))).await.unwrap().total, 1);
    let of_account = notes.of(NoteOwner::from(AccountId(5))).await.unwrap();
    assert_eq!(
        of_account.items[0].owner(),
        Some(NoteOwner::Account(AccountId(5)))
    );
}

#[tokio::test]
async fn empty_note_sends_nothing() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client.notes().create(ContactId(1), "  ").await.unwrap_err();
    assert_eq!(err.field(), Some("note"));
}
