//! Background jobs: mail delivery, the auto-close sweep, the search index's poll.
//! Each is safe to run on every server process at once against the same database:
//! work is claimed with conditional updates, never with locks held in memory.
//!
//! `serve` starts them with `Workers::start` once the state is built, and stops them
//! on shutdown: the token is cancelled, each finishes the item in hand (a delivery
//! pass, one ticket of a sweep), and `stop` waits for all of them. The one-off
//! commands (`migrate`, `import-articles`, `create-admin`) start none.

pub mod sweeper;

use crate::AppState;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The background tasks of one process.
pub struct Workers {
    stop: CancellationToken,
    tasks: TaskTracker,
    /// Mail delivery alone, so that a test can stop it as a crash would.
    mail: MailTask,
}

struct MailTask {
    stop: CancellationToken,
    handle: tokio::task::JoinHandle<()>,
}

impl Workers {
    /// Starts mail delivery, the sweeper and the index poll on the current runtime.
    pub fn start(state: &AppState) -> Self {
        let stop = CancellationToken::new();
        let tasks = TaskTracker::new();
        let config = &state.config;
        let mail_stop = stop.child_token();
        let handle = tasks.spawn(state.mail.clone().run(
            config.mail_poll,
            state.notifier.wake.clone(),
            mail_stop.clone(),
        ));
        tasks.spawn(sweeper::run(
            state.db.clone(),
            config.resolved_grace,
            config.sweep_interval,
            state.notifier.clone(),
            stop.child_token(),
        ));
        tasks.spawn(state.help.clone().poll(config.index_poll, stop.child_token()));
        tasks.close();
        Self {
            stop,
            tasks,
            mail: MailTask {
                stop: mail_stop,
                handle,
            },
        }
    }

    /// Asks every worker to stop and waits, at most `grace`, for each to finish the
    /// item in hand. True when all of them did.
    pub async fn stop(self, grace: Duration) -> bool {
        self.stop.cancel();
        tokio::time::timeout(grace, self.tasks.wait()).await.is_ok()
    }

    /// Ends mail delivery at once, mid-pass if it must: what a crash does to it (the
    /// leases it held are taken over by another process when they expire).
    pub fn kill_mail(&self) {
        self.mail.stop.cancel();
        self.mail.handle.abort();
    }

    /// Whether every worker has finished.
    pub fn finished(&self) -> bool {
        self.tasks.is_closed() && self.tasks.is_empty()
    }
}

/// Dropped without `stop` (a test's end, an error on the way out): the workers are
/// still told to stop, so none outlives its owner by more than its current item.
impl Drop for Workers {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
