//! Worker-group membership against a real group coordinator (Tansu): several in-process members
//! with recording listeners form one Connect group, share connectors and tasks, and rebalance
//! as members join, leave, die and stall.
//!
//! Each listener records what it runs in one registry shared by all members, so a task started
//! while another member still runs it is caught the moment it happens.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connect::cluster::{
    ClusterWork, ConnectProtocol, ConnectorTaskId, GroupListener, GroupSettings, Membership,
    Rebalanced,
};
use e2e::{wait_until, BrokerKind, TestBroker};

const SESSION: Duration = Duration::from_millis(10_000);
const HEARTBEAT: Duration = Duration::from_millis(1_000);
const DELAY: Duration = Duration::from_millis(3_000);
const SETTLE: Duration = Duration::from_secs(60);
/// Longer than the session timeout, shorter than the rebalance timeout.
const SLOW: Duration = Duration::from_millis(12_000);
const REBALANCE: Duration = Duration::from_secs(30);

/// An item of work: a connector (`task: None`) or one of its tasks.
type Item = (String, Option<u32>);

/// What every member runs, and every moment two ran the same item.
#[derive(Default)]
struct Registry {
    running: BTreeMap<Item, String>,
    violations: Vec<String>,
}

/// The configured work, shared by every member's listener (the config topic, in a herder).
struct Cluster {
    work: Mutex<ClusterWork>,
    registry: Mutex<Registry>,
}

impl Cluster {
    fn new(connectors: &[(&str, u32)]) -> Arc<Cluster> {
        Arc::new(Cluster {
            work: Mutex::new(ClusterWork {
                config_offset: 1,
                connectors: connectors
                    .iter()
                    .map(|(c, n)| (c.to_string(), *n))
                    .collect(),
            }),
            registry: Mutex::default(),
        })
    }

    fn items(&self) -> BTreeSet<Item> {
        let work = self.work.lock().unwrap();
        work.connectors
            .iter()
            .flat_map(|(c, n)| {
                std::iter::once((c.clone(), None)).chain((0..*n).map(|t| (c.clone(), Some(t))))
            })
            .collect()
    }

    /// Every configured item runs exactly once, on one of `members`, connectors and tasks each
    /// spread within ±1.
    fn balanced_over(&self, members: &[&Member]) -> bool {
        let registry = self.registry.lock().unwrap();
        let items = self.items();
        let running: BTreeSet<Item> = registry.running.keys().cloned().collect();
        if running != items {
            return false;
        }
        let names: BTreeSet<&str> = members.iter().map(|m| m.name.as_str()).collect();
        if registry
            .running
            .values()
            .any(|m| !names.contains(m.as_str()))
        {
            return false;
        }
        let spread = |tasks: bool| {
            let counts: Vec<usize> = members
                .iter()
                .map(|m| {
                    registry
                        .running
                        .iter()
                        .filter(|((_, t), owner)| t.is_some() == tasks && **owner == m.name)
                        .count()
                })
                .collect();
            counts.iter().max().unwrap_or(&0) - counts.iter().min().unwrap_or(&0)
        };
        spread(false) <= 1 && spread(true) <= 1
    }

    fn violations(&self) -> Vec<String> {
        self.registry.lock().unwrap().violations.clone()
    }

    /// A killed member's work stops with its process.
    fn forget(&self, member: &str) {
        self.registry
            .lock()
            .unwrap()
            .running
            .retain(|_, m| m != member);
    }

    fn running_on(&self, member: &str) -> BTreeSet<Item> {
        let registry = self.registry.lock().unwrap();
        registry
            .running
            .iter()
            .filter(|(_, m)| *m == member)
            .map(|(i, _)| i.clone())
            .collect()
    }
}

/// One member's listener: records rounds and revocations, runs work in the registry.
struct Recorder {
    name: String,
    cluster: Arc<Cluster>,
    rounds: Mutex<Vec<Rebalanced>>,
    revoked: Mutex<Vec<Item>>,
    /// Sleep this long in on_assigned (a slow herder).
    slow: Mutex<Duration>,
}

fn items(connectors: &[String], tasks: &[ConnectorTaskId]) -> Vec<Item> {
    connectors
        .iter()
        .map(|c| (c.clone(), None))
        .chain(tasks.iter().map(|t| (t.connector.clone(), Some(t.task))))
        .collect()
}

impl GroupListener for Recorder {
    fn metadata(&self) -> (String, i64) {
        let offset = self.cluster.work.lock().unwrap().config_offset;
        (format!("http://{}:8083/", self.name), offset)
    }

    fn cluster_work(&self, _min_offset: i64) -> Result<ClusterWork, String> {
        Ok(self.cluster.work.lock().unwrap().clone())
    }

    fn on_revoked(&self, connectors: &[String], tasks: &[ConnectorTaskId]) {
        let mut registry = self
            .cluster
            .registry
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for item in items(connectors, tasks) {
            if registry.running.get(&item) == Some(&self.name) {
                registry.running.remove(&item);
            } else {
                let v = format!("{} revoked {item:?}, which it did not run", self.name);
                registry.violations.push(v);
            }
            self.revoked.lock().unwrap().push(item);
        }
    }

    fn on_assigned(&self, round: &Rebalanced) {
        let slow = *self.slow.lock().unwrap();
        std::thread::sleep(slow);
        let mut registry = self
            .cluster
            .registry
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for item in items(&round.assigned_connectors, &round.assigned_tasks) {
            if let Some(other) = registry.running.get(&item) {
                let v = format!("{} started {item:?} while {other} runs it", self.name);
                registry.violations.push(v);
            }
            registry.running.insert(item, self.name.clone());
        }
        self.rounds.lock().unwrap().push(round.clone());
    }
}

struct Member {
    name: String,
    recorder: Arc<Recorder>,
    membership: Option<Membership>,
}

impl Member {
    fn start(broker: &TestBroker, group: &str, name: &str, cluster: &Arc<Cluster>) -> Member {
        Member::start_slow(broker, group, name, cluster, Duration::ZERO)
    }

    fn start_slow(
        broker: &TestBroker,
        group: &str,
        name: &str,
        cluster: &Arc<Cluster>,
        slow: Duration,
    ) -> Member {
        let recorder = Arc::new(Recorder {
            name: name.to_string(),
            cluster: cluster.clone(),
            rounds: Mutex::default(),
            revoked: Mutex::default(),
            slow: Mutex::new(slow),
        });
        let settings = GroupSettings {
            bootstrap_servers: broker.bootstrap_servers().expect("tansu").to_string(),
            group_id: group.to_string(),
            client_id: name.to_string(),
            session_timeout: SESSION,
            heartbeat_interval: HEARTBEAT,
            rebalance_timeout: REBALANCE,
            scheduled_rebalance_max_delay: DELAY,
            protocol: ConnectProtocol::Sessioned,
        };
        let membership = Membership::start(settings, recorder.clone()).expect("start membership");
        Member {
            name: name.to_string(),
            recorder,
            membership: Some(membership),
        }
    }

    fn current(&self) -> Option<Rebalanced> {
        self.membership.as_ref().and_then(Membership::current)
    }

    fn rounds(&self) -> Vec<Rebalanced> {
        self.recorder.rounds.lock().unwrap().clone()
    }

    fn revoked(&self) -> Vec<Item> {
        self.recorder.revoked.lock().unwrap().clone()
    }
}

/// All `members` completed the same generation and the work is balanced over them.
fn settled(cluster: &Cluster, members: &[&Member]) -> bool {
    let generations: BTreeSet<Option<i32>> = members
        .iter()
        .map(|m| m.current().map(|r| r.generation))
        .collect();
    generations.len() == 1 && !generations.contains(&None) && cluster.balanced_over(members)
}

fn wait_settled(cluster: &Cluster, members: &[&Member], what: &str) -> Duration {
    let started = Instant::now();
    let ok = wait_until(SETTLE, || settled(cluster, members));
    let registry = cluster.registry.lock().unwrap();
    assert!(
        ok,
        "{what}: not settled within {SETTLE:?}; running: {:?}; rounds: {:?}",
        registry.running,
        members.iter().map(|m| m.current()).collect::<Vec<_>>()
    );
    started.elapsed()
}

fn tansu() -> TestBroker {
    TestBroker::start(BrokerKind::Tansu)
}

/// 4 connectors with 6 tasks in all, as the acceptance test.
fn six_tasks() -> Arc<Cluster> {
    Cluster::new(&[("a", 2), ("b", 2), ("c", 1), ("d", 1)])
}

#[test]
fn three_members_form_one_group_with_one_leader_and_every_task_once() {
    let broker = tansu();
    let cluster = six_tasks();
    let members: Vec<Member> = ["w1", "w2", "w3"]
        .iter()
        .map(|n| Member::start(&broker, "three", n, &cluster))
        .collect();
    let refs: Vec<&Member> = members.iter().collect();
    let took = wait_settled(&cluster, &refs, "3 members");
    eprintln!("3 members settled in {took:?}");
    let rounds: Vec<Rebalanced> = members.iter().map(|m| m.current().unwrap()).collect();
    assert_eq!(
        rounds.iter().filter(|r| r.is_leader).count(),
        1,
        "{rounds:?}"
    );
    let leader = rounds.iter().find(|r| r.is_leader).unwrap();
    for r in &rounds {
        assert_eq!(r.leader_id, leader.member_id);
        assert_eq!(
            r.leader_url,
            format!("http://{}:8083/", leader_name(&members, leader))
        );
        assert_eq!(r.config_offset, 1);
        assert_eq!(r.error, 0);
    }
    for m in &members {
        assert_eq!(
            cluster
                .running_on(&m.name)
                .iter()
                .filter(|i| i.1.is_some())
                .count(),
            2
        );
    }
    assert_eq!(cluster.violations(), Vec::<String>::new());
}

/// The index of a member that is not the leader.
fn follower(members: &[Member]) -> usize {
    members
        .iter()
        .position(|m| m.current().is_some_and(|r| !r.is_leader))
        .expect("a follower")
}

fn leader_name<'a>(members: &'a [Member], leader: &Rebalanced) -> &'a str {
    members
        .iter()
        .find(|m| m.current().is_some_and(|r| r.member_id == leader.member_id))
        .map(|m| m.name.as_str())
        .unwrap()
}

#[test]
fn a_fourth_member_takes_only_the_excess_and_unaffected_work_never_stops() {
    let broker = tansu();
    let cluster = Cluster::new(&[("a", 5), ("b", 5), ("c", 5), ("d", 5)]);
    let mut members: Vec<Member> = ["w1", "w2", "w3"]
        .iter()
        .map(|n| Member::start(&broker, "four", n, &cluster))
        .collect();
    wait_settled(&cluster, &members.iter().collect::<Vec<_>>(), "3 members");
    let before: BTreeMap<String, BTreeSet<Item>> = members
        .iter()
        .map(|m| (m.name.clone(), cluster.running_on(&m.name)))
        .collect();

    let joined = Instant::now();
    members.push(Member::start(&broker, "four", "w4", &cluster));
    let took = wait_settled(&cluster, &members.iter().collect::<Vec<_>>(), "4 members");
    eprintln!(
        "4th member: all 4 settled {took:?} after it started ({:?} since)",
        joined.elapsed()
    );

    let newcomer = cluster.running_on("w4");
    // 4 connectors and 20 tasks over 4: the newcomer gets 1 connector and 5 tasks.
    assert_eq!(newcomer.len(), 6, "{newcomer:?}");
    for m in &members[..3] {
        let now = cluster.running_on(&m.name);
        assert!(
            now.is_subset(&before[&m.name]),
            "{} was given new work",
            m.name
        );
        let gave: BTreeSet<Item> = before[&m.name].difference(&now).cloned().collect();
        let revoked: BTreeSet<Item> = m.revoked().into_iter().collect();
        assert_eq!(revoked, gave, "{} revoked more than what moved", m.name);
        assert!(
            gave.is_subset(&newcomer),
            "{} gave work to someone else",
            m.name
        );
    }
    assert_eq!(cluster.violations(), Vec::<String>::new());
}

/// A follower that leaves: its work is held for `scheduled.rebalance.max.delay.ms`, then spread
/// over the others. (When the leader itself leaves, the next leader has no memory of the last
/// round and reassigns its work at once, as Java's assignor does after a leader change.)
#[test]
fn a_closed_members_work_is_held_for_the_delay_then_reassigned() {
    let broker = tansu();
    let cluster = six_tasks();
    let mut members: Vec<Member> = ["w1", "w2", "w3"]
        .iter()
        .map(|n| Member::start(&broker, "close", n, &cluster))
        .collect();
    wait_settled(&cluster, &members.iter().collect::<Vec<_>>(), "3 members");
    let mut leaving = members.remove(follower(&members));
    let owned = cluster.running_on(&leaving.name);

    let closed = Instant::now();
    leaving.membership.take().unwrap().close();
    let close_took = closed.elapsed();
    // It stopped everything it ran before leaving.
    let revoked: BTreeSet<Item> = leaving.revoked().into_iter().collect();
    assert_eq!(revoked, owned);
    assert!(cluster.running_on(&leaving.name).is_empty());

    // The hold starts with the first round after the close: until the delay has passed since
    // the close, nobody runs the departed work.
    let held_until = closed + DELAY - Duration::from_millis(100);
    while Instant::now() < held_until {
        for m in &members {
            let early: Vec<Item> = cluster
                .running_on(&m.name)
                .intersection(&owned)
                .cloned()
                .collect();
            assert!(
                early.is_empty(),
                "{} took departed work {early:?} {:?} after the close, within the delay",
                m.name,
                closed.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    wait_settled(&cluster, &members.iter().collect::<Vec<_>>(), "2 members");
    eprintln!(
        "closed member (close took {close_took:?}): its work running again {:?} after the close (delay {DELAY:?})",
        closed.elapsed()
    );
    assert_eq!(cluster.violations(), Vec::<String>::new());
}

#[test]
fn a_member_that_stops_heartbeating_is_expelled_and_its_work_reassigned() {
    let broker = tansu();
    let cluster = six_tasks();
    let mut members: Vec<Member> = ["w1", "w2", "w3"]
        .iter()
        .map(|n| Member::start(&broker, "expire", n, &cluster))
        .collect();
    wait_settled(&cluster, &members.iter().collect::<Vec<_>>(), "3 members");
    let mut dead = members.remove(follower(&members));
    let died = Instant::now();
    dead.membership.take().unwrap().abandon();
    cluster.forget(&dead.name);
    assert!(dead.revoked().is_empty(), "a dead member revokes nothing");

    let took = wait_settled(&cluster, &members.iter().collect::<Vec<_>>(), "2 members");
    eprintln!(
        "dead member: its work reassigned {took:?} after the survivors' settling began, {:?} after it stopped (session {SESSION:?} + delay {DELAY:?})",
        died.elapsed()
    );
    // Survivors never lost their membership meanwhile.
    for m in &members {
        let ids: BTreeSet<String> = m.rounds().iter().map(|r| r.member_id.clone()).collect();
        assert_eq!(ids.len(), 1, "{} rejoined as a new member", m.name);
    }
    assert_eq!(cluster.violations(), Vec::<String>::new());
}

// Kafka's coordinator keeps a member's session alive on every heartbeat it answers, including
// those answered REBALANCE_IN_PROGRESS while the group waits (up to the rebalance timeout) for
// the member to rejoin. Tansu 0.6 refreshes a member's session only on a heartbeat of the
// current generation (`Inner<Formed>::heartbeat` in tansu-broker's administrator.rs) and does
// not wait for anyone: when the others complete a new generation while this member is still in
// its callback, its heartbeats stop counting and it is expelled after session.timeout.ms. This
// failed 1 run in 3 on Tansu on 2026-12-06 and passed the other two.
#[test]
#[ignore = "Tansu 0.6 does not count a heartbeat answered REBALANCE_IN_PROGRESS towards the session (Kafka does): see the comment"]
fn a_member_slow_in_its_callback_keeps_its_session_through_a_rebalance() {
    let broker = tansu();
    let cluster = six_tasks();
    // w1's callback outlasts the session timeout: only its heartbeat thread keeps it in.
    let slow = Member::start_slow(&broker, "slow", "w1", &cluster, SLOW);
    let mut members = vec![slow, Member::start(&broker, "slow", "w2", &cluster)];
    wait_settled(&cluster, &members.iter().collect::<Vec<_>>(), "2 members");
    // w3 joins while w1 is (again) busy in its callback for a round.
    members.push(Member::start(&broker, "slow", "w3", &cluster));
    let took = wait_settled(&cluster, &members.iter().collect::<Vec<_>>(), "3 members");
    eprintln!("rebalance with a member slow by {SLOW:?}: {took:?}");
    let ids: BTreeSet<String> = members[0]
        .rounds()
        .iter()
        .map(|r| r.member_id.clone())
        .collect();
    assert_eq!(ids.len(), 1, "the slow member was expelled: {ids:?}");
    assert_eq!(cluster.violations(), Vec::<String>::new());
}

#[test]
fn a_requested_rejoin_assigns_new_and_revokes_deleted_work() {
    let broker = tansu();
    let cluster = six_tasks();
    let members: Vec<Member> = ["w1", "w2"]
        .iter()
        .map(|n| Member::start(&broker, "rejoin", n, &cluster))
        .collect();
    let refs: Vec<&Member> = members.iter().collect();
    wait_settled(&cluster, &refs, "2 members");
    {
        let mut work = cluster.work.lock().unwrap();
        work.config_offset = 2;
        work.connectors.remove("a");
        work.connectors.insert("e".into(), 3);
        work.connectors.insert("c".into(), 2);
    }
    // A follower's request starts the round as well as the leader's would.
    let follower = members
        .iter()
        .find(|m| !m.current().unwrap().is_leader)
        .unwrap();
    follower.membership.as_ref().unwrap().request_rejoin();
    wait_settled(&cluster, &refs, "after the config change");
    let revoked: BTreeSet<Item> = members.iter().flat_map(|m| m.revoked()).collect();
    assert!(revoked.contains(&("a".to_string(), None)));
    assert!(revoked.contains(&("a".to_string(), Some(1))));
    assert_eq!(cluster.violations(), Vec::<String>::new());
}

#[test]
fn an_unreachable_broker_is_retried_and_close_returns_promptly() {
    let cluster = six_tasks();
    let recorder = Arc::new(Recorder {
        name: "w1".into(),
        cluster: cluster.clone(),
        rounds: Mutex::default(),
        revoked: Mutex::default(),
        slow: Mutex::default(),
    });
    let settings = GroupSettings {
        bootstrap_servers: "127.0.0.1:1".into(),
        group_id: "nowhere".into(),
        ..GroupSettings::default()
    };
    let membership = Membership::start(settings, recorder.clone()).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(membership.current().is_none());
    // Returns although the group thread is between connection attempts.
    membership.close();
    assert!(recorder.rounds.lock().unwrap().is_empty());
}
