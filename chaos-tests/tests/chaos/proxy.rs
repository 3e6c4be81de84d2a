//! A TCP proxy that can cut every connection through it: the network fault between one process
//! and PostgreSQL (proxying Kafka would need its advertised listener rewritten; PostgreSQL has no
//! such indirection).
//!
//! [`Proxy::cut`] closes every open connection (both sockets dropped: the client sees its
//! connection closed mid-conversation) and, until [`Proxy::heal`], accepts new connections only
//! to close them at once — a partition the client notices on its next read or connect.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

#[derive(Default)]
struct State {
    blocked: AtomicBool,
    connections: Mutex<Vec<AbortHandle>>,
    accepted: AtomicU64,
    refused: AtomicU64,
}

pub struct Proxy {
    pub port: u16,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free local port and forwards to `upstream` (`host:port`).
    pub async fn start(upstream: String) -> Result<Proxy, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("proxy bind: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("proxy addr: {e}"))?
            .port();
        let state = Arc::new(State::default());
        let task = tokio::spawn(accept_loop(listener, upstream, state.clone()));
        Ok(Proxy { port, state, task })
    }

    /// Drops every connection and refuses new ones; returns how many were open.
    pub fn cut(&self) -> usize {
        // Under the lock, so that no connection is registered after the drain yet let through.
        let handles: Vec<AbortHandle> = match self.state.connections.lock() {
            Ok(mut connections) => {
                self.state.blocked.store(true, Ordering::SeqCst);
                connections.drain(..).collect()
            }
            Err(_) => Vec::new(),
        };
        let open = handles.iter().filter(|h| !h.is_finished()).count();
        for handle in handles {
            handle.abort();
        }
        open
    }

    /// Lets connections through again.
    pub fn heal(&self) {
        self.state.blocked.store(false, Ordering::SeqCst);
    }

    /// (connections accepted and forwarded, connections refused while cut)
    pub fn counts(&self) -> (u64, u64) {
        (
            self.state.accepted.load(Ordering::Relaxed),
            self.state.refused.load(Ordering::Relaxed),
        )
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
        self.cut();
    }
}

async fn accept_loop(listener: TcpListener, upstream: String, state: Arc<State>) {
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            continue;
        };
        let Ok(mut connections) = state.connections.lock() else {
            continue;
        };
        if state.blocked.load(Ordering::SeqCst) {
            state.refused.fetch_add(1, Ordering::Relaxed);
            drop(client);
            continue;
        }
        state.accepted.fetch_add(1, Ordering::Relaxed);
        let upstream = upstream.clone();
        let handle = tokio::spawn(async move {
            let Ok(mut server) = TcpStream::connect(&upstream).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        });
        connections.retain(|h| !h.is_finished());
        connections.push(handle.abort_handle());
    }
}
