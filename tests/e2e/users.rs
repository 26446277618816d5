//! Users, permission groups and list ↔ group permissions, end to end.

use ac_client::groups::{GroupInput, ListGroupQuery};
use ac_client::lists::ListInput;
use ac_client::users::{UserInput, UserQuery};
use futures_util::TryStreamExt;

use crate::setup;

#[tokio::test]
async fn the_token_user_is_the_admin_and_new_users_join_groups() {
    let (_mock, client) = setup().await;
    let me = client.users().me().await.expect("me");
    assert_eq!(me.username, "admin");
    let admin_group = me.group.expect("the admin's group");
    let admin = client.groups().get(admin_group).await.expect("admin group");
    assert_eq!(admin.permission("pg_user_add"), Some(true));
    let err = client.groups().get(999).await.expect_err("unknown group");
    assert!(err.is_not_found(), "AC's 403 not-found message: {err}");

    let sales = client
        .groups()
        .create(GroupInput::new("Sales").permission("pgDeal", true))
        .await
        .expect("group");
    assert_eq!(sales.permission("pgDeal"), Some(true));
    assert_eq!(sales.permission("pgListDelete"), Some(false));
    let jdoe = client
        .users()
        .create(UserInput::new("jdoe", "jdoe@example.com", sales.id).password("s3cret!"))
        .await
        .expect("user");
    assert_eq!(jdoe.group, Some(sales.id));
    assert_eq!(
        client
            .users()
            .by_email("JDOE@example.com")
            .await
            .expect("by email")
            .id,
        jdoe.id
    );
    let err = client
        .users()
        .create(UserInput::new("jdoe", "other@example.com", sales.id))
        .await
        .expect_err("duplicate username");
    assert!(err.is_duplicate(), "{err}");

    let all: Vec<_> = client
        .users()
        .stream(UserQuery::new().limit(1))
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(all.len(), 2);

    let err = client
        .groups()
        .delete(sales.id)
        .await
        .expect_err("has users");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    client.users().delete(jdoe.id).await.expect("delete user");
    assert!(client
        .users()
        .get(jdoe.id)
        .await
        .expect_err("gone")
        .is_not_found());
    client
        .groups()
        .delete(sales.id)
        .await
        .expect("delete group");
    assert!(
        client.users().delete(me.id).await.is_err(),
        "the token user stays"
    );
}

#[tokio::test]
async fn list_groups_tie_lists_to_groups_until_either_is_deleted() {
    let (_mock, client) = setup().await;
    let list = client
        .lists()
        .create(
            &ListInput::new("Newsletter")
                .slug("newsletter")
                .sender_url("https://example.com")
                .sender_reminder("You signed up."),
        )
        .await
        .expect("list");
    let sales = client
        .groups()
        .create(GroupInput::new("Sales"))
        .await
        .expect("group");
    let groups = client.groups();
    let lg = groups.allow_list(list.id, sales.id).await.expect("allow");
    let again = groups.allow_list(list.id, sales.id).await.expect("again");
    assert_eq!(again.id, lg.id, "one permission per pair");
    let of_list = groups
        .list_groups(ListGroupQuery::new().list(list.id))
        .await
        .expect("of list");
    assert_eq!(of_list.total, 1);
    assert_eq!(of_list.items[0].group, sales.id);

    client.lists().delete(list.id).await.expect("delete list");
    let left = groups
        .list_groups(ListGroupQuery::new())
        .await
        .expect("left");
    assert_eq!(left.total, 0, "deleting the list removes its permissions");
    let err = groups
        .allow_list(list.id, sales.id)
        .await
        .expect_err("no list");
    assert!(err.is_not_found(), "{err}");
}
