//! The projector over a real (SQLite) ledger: catch-up, resuming from stored checkpoints,
//! waiting for a position, and tenant isolation of queries.

use std::sync::Arc;
use std::time::Duration;

use castellan_core::clock::{FixedClock, Timestamp};
use castellan_core::ids::SequentialIds;
use castellan_core::org;
use castellan_readers::embedded::EmbeddedReadStore;
use castellan_readers::projections;
use castellan_readers::queries::org::{OrgFilter, OrgSort, list_orgs};
use castellan_readers::queries::{Paging, TextMatch};
use castellan_readers::runner::Projector;
use castellan_readers::store::ReadStore;
use castellan_writer::commands::org::{AddOrganization, OnOrg};
use castellan_writer::ledger::Ledger;
use castellan_writer::ledger::sqlite::SqliteLedger;
use castellan_writer::{CommandContext, Writer};

struct Fixture {
    _dir: tempfile::TempDir,
    ledger: Arc<dyn Ledger>,
    writer: Writer,
    read_path: std::path::PathBuf,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ledger: Arc<dyn Ledger> = Arc::new(
        SqliteLedger::open(&dir.path().join("ledger.db"))
            .await
            .unwrap(),
    );
    ledger.migrate().await.unwrap();
    let writer = Writer::new(
        ledger.clone(),
        Arc::new(FixedClock(Timestamp(1_000_000))),
        Arc::new(SequentialIds::new("id-")),
    );
    let read_path = dir.path().join("read.db");
    Fixture {
        _dir: dir,
        ledger,
        writer,
        read_path,
    }
}

async fn projector(fixture: &Fixture) -> Projector {
    let store = EmbeddedReadStore::open(&fixture.read_path).await.unwrap();
    store.migrate().await.unwrap();
    Projector::new(fixture.ledger.clone(), Arc::new(store), projections::all())
}

fn ctx(instance: &str) -> CommandContext {
    CommandContext {
        instance_id: instance.into(),
        creator: "test".into(),
    }
}

async fn add_org(
    writer: &Writer,
    instance: &str,
    id: &str,
    name: &str,
) -> castellan_core::Position {
    let command = AddOrganization {
        org_id: id.into(),
        name: name.into(),
        instance_domain: format!("{instance}.test"),
        admins: Vec::new(),
    };
    writer
        .execute(&ctx(instance), &command)
        .await
        .unwrap()
        .position
}

async fn names(store: &dyn ReadStore, instance: &str) -> Vec<String> {
    list_orgs(store, instance, &[], OrgSort::Name, Paging::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|o| o.name)
        .collect()
}

#[tokio::test]
async fn catches_up_and_resumes_from_its_checkpoints() {
    let fixture = fixture().await;
    add_org(&fixture.writer, "i1", "o1", "Acme").await;
    add_org(&fixture.writer, "i1", "o2", "Globex").await;
    let first = projector(&fixture).await;
    let reached = first.catch_up().await.unwrap();
    assert_eq!(reached, fixture.ledger.head().await.unwrap());
    assert_eq!(
        names(first.store().as_ref(), "i1").await,
        ["Acme", "Globex"]
    );
    drop(first);

    // Changes made while no projector runs are applied by the next one, from its checkpoint.
    let rename = OnOrg::new("o1", |o: &org::Org| org::rename(o, "Acme Corp"));
    fixture.writer.execute(&ctx("i1"), &rename).await.unwrap();
    let second = projector(&fixture).await;
    second.catch_up().await.unwrap();
    assert_eq!(
        names(second.store().as_ref(), "i1").await,
        ["Acme Corp", "Globex"]
    );
}

#[tokio::test]
async fn callers_can_wait_for_their_writes() {
    let fixture = fixture().await;
    let projector = Arc::new(projector(&fixture).await);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(projector.clone().run(stopped));
    let position = add_org(&fixture.writer, "i1", "o1", "Acme").await;
    projector
        .wait_for(position, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(names(projector.store().as_ref(), "i1").await, ["Acme"]);
    let far_future = castellan_core::Position(position.0 + 1_000_000_000);
    assert!(
        projector
            .wait_for(far_future, Duration::from_millis(50))
            .await
            .is_err()
    );
    stop.send(true).unwrap();
    running.await.unwrap();
}

#[tokio::test]
async fn queries_never_cross_instances() {
    let fixture = fixture().await;
    add_org(&fixture.writer, "i1", "o1", "Acme").await;
    add_org(&fixture.writer, "i2", "o1", "Acme").await;
    add_org(&fixture.writer, "i2", "o2", "Initech").await;
    let projector = projector(&fixture).await;
    projector.catch_up().await.unwrap();
    let store = projector.store().as_ref();
    assert_eq!(names(store, "i1").await, ["Acme"]);
    assert_eq!(names(store, "i2").await, ["Acme", "Initech"]);
    let filtered = list_orgs(
        store,
        "i1",
        &[OrgFilter::Name(
            TextMatch::ContainsIgnoreCase,
            "init".into(),
        )],
        OrgSort::Unspecified,
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(filtered.total, 0);
}
