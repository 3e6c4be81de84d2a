//! A throw-away distributed deployment for one bench run: a fresh PostgreSQL database, Kafka
//! topic and consumer group, and Cassandra keyspace, with every role in one process; dropped
//! again afterwards.

use crate::Result;
use crate::pg::FreshDatabase;

pub struct Deployment {
    database: FreshDatabase,
    nodes: String,
    pub keyspace: String,
    /// The `CASTELLAN_*` settings of the server.
    pub env: Vec<(String, String)>,
}

impl Deployment {
    /// Creates the database; the topic, group and keyspace are named `…{label}…{random}`.
    pub async fn create(
        postgres_url: &str,
        brokers: &str,
        nodes: &str,
        label: &str,
    ) -> Result<Self> {
        let database = FreshDatabase::create(postgres_url).await?;
        let suffix = rand::random::<u32>();
        let keyspace = format!("bench_{label}_{suffix}");
        let env = [
            ("CASTELLAN_DATABASE_POSTGRES_DSN", database.url.clone()),
            ("CASTELLAN_KAFKA_BROKERS", brokers.to_owned()),
            (
                "CASTELLAN_KAFKA_TOPIC",
                format!("castellan.bench.{label}.{suffix}"),
            ),
            ("CASTELLAN_KAFKA_PARTITIONS", "6".to_owned()),
            ("CASTELLAN_KAFKA_GROUPID", format!("bench-{label}-{suffix}")),
            ("CASTELLAN_CASSANDRA_NODES", nodes.to_owned()),
            ("CASTELLAN_CASSANDRA_KEYSPACE", keyspace.clone()),
            ("CASTELLAN_ROLES", "api,relay,reader".to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        Ok(Self {
            database,
            nodes: nodes.to_owned(),
            keyspace,
            env,
        })
    }

    pub fn database_name(&self) -> &str {
        &self.database.name
    }

    /// Drops the database and the keyspace (both attempted; the first failure is returned).
    pub async fn drop_now(self) -> Result<()> {
        let dropped = self.database.drop_now().await;
        let nodes: Vec<String> = self.nodes.split(',').map(str::to_owned).collect();
        let keyspace_dropped =
            match castellan_readers::scylla::ScyllaReadStore::connect(&nodes, &self.keyspace).await
            {
                Ok(store) => store
                    .session()
                    .query_unpaged(format!("DROP KEYSPACE IF EXISTS {}", self.keyspace), ())
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            };
        dropped?;
        keyspace_dropped?;
        Ok(())
    }
}
