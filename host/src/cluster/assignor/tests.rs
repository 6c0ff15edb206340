use super::*;

const DELAY: Duration = Duration::from_secs(300);

fn t(c: &str, n: u32) -> ConnectorTaskId {
    ConnectorTaskId::new(c, n)
}

fn work(connectors: &[(&str, u32)]) -> ClusterWork {
    ClusterWork {
        config_offset: 10,
        connectors: connectors
            .iter()
            .map(|(c, n)| (c.to_string(), *n))
            .collect(),
    }
}

/// A simulated group: members' allocations, the leader's memory and a clock.
struct Sim {
    members: Vec<MemberAllocation>,
    memory: LeaderMemory,
    now: Instant,
    work: ClusterWork,
    max_delay: Duration,
    /// Every item revoked from a member, over all rounds, by member.
    revoked_log: Vec<(String, String)>,
}

impl Sim {
    fn new(work: ClusterWork, members: &[&str]) -> Sim {
        let mut sim = Sim {
            members: vec![],
            memory: LeaderMemory::default(),
            now: Instant::now(),
            work,
            max_delay: DELAY,
            revoked_log: vec![],
        };
        for m in members {
            sim.join(m);
        }
        sim
    }

    fn join(&mut self, id: &str) {
        self.join_with_url(id, &format!("http://{id}:8083/"));
    }

    fn join_with_url(&mut self, id: &str, url: &str) {
        self.members.push(MemberAllocation {
            id: id.into(),
            url: url.into(),
            ..Default::default()
        });
    }

    fn leave(&mut self, id: &str) {
        self.members.retain(|m| m.id != id);
    }

    fn member(&self, id: &str) -> &MemberAllocation {
        self.members.iter().find(|m| m.id == id).expect("member")
    }

    /// One round: compute, apply (revoke, then assign) to each member's allocation.
    fn round(&mut self) -> AssignOutput {
        let out = assign(AssignInput {
            members: &self.members,
            work: &self.work,
            memory: &self.memory,
            max_delay: self.max_delay,
            now: self.now,
        });
        for m in &mut self.members {
            let a = &out.members[&m.id];
            for c in &a.revoked_connectors {
                assert!(
                    m.connectors.remove(c),
                    "{} revoked {c} it did not run",
                    m.id
                );
                self.revoked_log.push((m.id.clone(), c.clone()));
            }
            for task in &a.revoked_tasks {
                assert!(
                    m.tasks.remove(task),
                    "{} revoked {task} it did not run",
                    m.id
                );
                self.revoked_log.push((m.id.clone(), task.to_string()));
            }
            m.connectors.extend(a.connectors.iter().cloned());
            m.tasks.extend(a.tasks.iter().cloned());
        }
        self.memory = out.memory.clone();
        out
    }

    /// Rounds until nothing is revoked (members rejoin after a revocation). Returns the rounds.
    fn settle(&mut self) -> usize {
        for n in 1..=5 {
            let out = self.round();
            let revoked = out
                .members
                .values()
                .any(|a| !a.revoked_connectors.is_empty() || !a.revoked_tasks.is_empty());
            if !revoked {
                return n;
            }
        }
        panic!("no stable assignment after 5 rounds");
    }

    /// Every configured item runs on exactly one member, each kind within ±1.
    fn assert_balanced(&self) {
        let mut connectors = BTreeMap::new();
        let mut tasks = BTreeMap::new();
        for m in &self.members {
            for c in &m.connectors {
                *connectors.entry(c.clone()).or_insert(0) += 1;
            }
            for task in &m.tasks {
                *tasks.entry(task.clone()).or_insert(0) += 1;
            }
        }
        let want_c: BTreeMap<String, i32> = self
            .work
            .connectors
            .keys()
            .map(|c| (c.clone(), 1))
            .collect();
        let want_t: BTreeMap<ConnectorTaskId, i32> =
            self.work.tasks().into_iter().map(|t| (t, 1)).collect();
        assert_eq!(connectors, want_c, "connectors not owned exactly once");
        assert_eq!(tasks, want_t, "tasks not owned exactly once");
        let spread = |f: &dyn Fn(&MemberAllocation) -> usize| {
            let counts: Vec<usize> = self.members.iter().map(f).collect();
            counts.iter().max().unwrap() - counts.iter().min().unwrap()
        };
        assert!(
            spread(&|m| m.connectors.len()) <= 1,
            "connectors unbalanced: {:?}",
            self.members
        );
        assert!(
            spread(&|m| m.tasks.len()) <= 1,
            "tasks unbalanced: {:?}",
            self.members
        );
    }

    fn held(&self) -> usize {
        self.memory
            .held
            .as_ref()
            .map_or(0, |h| h.connectors.len() + h.tasks.len())
    }
}

#[test]
fn first_round_spreads_everything_without_revoking() {
    let mut sim = Sim::new(
        work(&[("a", 2), ("b", 2), ("c", 1), ("d", 1)]),
        &["w1", "w2", "w3"],
    );
    assert_eq!(sim.settle(), 1);
    sim.assert_balanced();
    assert!(sim.revoked_log.is_empty());
    for m in &sim.members {
        assert_eq!(m.tasks.len(), 2);
    }
}

#[test]
fn one_worker_takes_everything_then_a_second_and_third_share_it() {
    let mut sim = Sim::new(work(&[("a", 3), ("b", 3)]), &["w1"]);
    sim.settle();
    assert_eq!(sim.member("w1").tasks.len(), 6);
    sim.join("w2");
    sim.join("w3");
    assert_eq!(sim.settle(), 2, "one round revokes, the next assigns");
    sim.assert_balanced();
    // w1 gave up exactly its excess: 4 tasks and 0 of 2 connectors (it keeps 1, gives 1).
    let from_w1 = sim.revoked_log.iter().filter(|(m, _)| m == "w1").count();
    assert_eq!(from_w1, 4 + 1);
    assert!(sim.revoked_log.iter().all(|(m, _)| m == "w1"));
}

#[test]
fn a_fourth_worker_takes_only_the_excess_and_unaffected_work_stays() {
    let mut sim = Sim::new(work(&[("a", 4), ("b", 4), ("c", 4)]), &["w1", "w2", "w3"]);
    sim.settle();
    let before: BTreeMap<String, BTreeSet<ConnectorTaskId>> = sim
        .members
        .iter()
        .map(|m| (m.id.clone(), m.tasks.clone()))
        .collect();
    sim.join("w4");
    sim.settle();
    sim.assert_balanced();
    // 12 tasks over 4: each old member gives up exactly one task; connectors: 3 over 4, none move.
    assert_eq!(sim.revoked_log.len(), 3, "{:?}", sim.revoked_log);
    for m in &sim.members[..3] {
        assert_eq!(before[&m.id].difference(&m.tasks).count(), 1);
        assert!(m.tasks.is_subset(&before[&m.id]), "{} got new work", m.id);
    }
    assert_eq!(sim.member("w4").tasks.len(), 3);
}

#[test]
fn revoked_work_is_not_reassigned_in_the_same_round() {
    let mut sim = Sim::new(work(&[("a", 4)]), &["w1"]);
    sim.settle();
    sim.join("w2");
    let out = sim.round();
    assert_eq!(out.members["w1"].revoked_tasks.len(), 2);
    assert!(
        out.members["w2"].tasks.is_empty(),
        "w2 must wait until w1 stopped them"
    );
    let out = sim.round();
    assert_eq!(out.members["w2"].tasks.len(), 2);
    sim.assert_balanced();
}

#[test]
fn a_departed_members_work_is_held_until_the_delay_expires() {
    let mut sim = Sim::new(work(&[("a", 3), ("b", 3)]), &["w1", "w2", "w3"]);
    sim.settle();
    let lost = sim.member("w3").tasks.clone();
    let lost_connectors = sim.member("w3").connectors.len();
    sim.leave("w3");
    let out = sim.round();
    assert!(out.members.values().all(|a| a.delay == DELAY));
    assert!(out
        .members
        .values()
        .all(|a| a.tasks.is_empty() && a.revoked_tasks.is_empty()));
    assert_eq!(sim.held(), lost.len() + lost_connectors);

    // A rejoin before expiry (e.g. another rebalance) keeps holding, with the remaining delay.
    sim.now += Duration::from_secs(100);
    let out = sim.round();
    assert!(out
        .members
        .values()
        .all(|a| a.delay == Duration::from_secs(200)));
    assert!(out.members.values().all(|a| a.tasks.is_empty()));

    sim.now += Duration::from_secs(200);
    let out = sim.round();
    assert!(out.members.values().all(|a| a.delay.is_zero()));
    assert_eq!(sim.held(), 0);
    let given: usize = out.members.values().map(|a| a.tasks.len()).sum();
    assert_eq!(given, lost.len());
    sim.settle();
    sim.assert_balanced();
}

#[test]
fn zero_delay_reassigns_a_departed_members_work_at_once() {
    let mut sim = Sim::new(work(&[("a", 4)]), &["w1", "w2"]);
    sim.max_delay = Duration::ZERO;
    sim.settle();
    sim.leave("w2");
    let out = sim.round();
    assert_eq!(out.members["w1"].tasks.len(), 2);
    assert!(out.members["w1"].delay.is_zero());
    sim.assert_balanced();
}

#[test]
fn a_returning_member_gets_its_own_work_back_before_the_delay_expires() {
    let mut sim = Sim::new(work(&[("a", 3), ("b", 3), ("c", 3)]), &["w1", "w2", "w3"]);
    sim.settle();
    let mine = sim.member("w3").clone();
    sim.leave("w3");
    sim.round();
    sim.now += Duration::from_secs(30);
    // Restarted: a new member id, the same URL, nothing running.
    sim.join_with_url("w3-restarted", &mine.url);
    let out = sim.round();
    let back = &out.members["w3-restarted"];
    assert_eq!(
        back.connectors.iter().cloned().collect::<BTreeSet<_>>(),
        mine.connectors
    );
    assert_eq!(
        back.tasks.iter().cloned().collect::<BTreeSet<_>>(),
        mine.tasks
    );
    assert!(back.delay.is_zero());
    assert_eq!(sim.held(), 0);
    assert!(sim.revoked_log.is_empty(), "nobody else stopped anything");
    sim.assert_balanced();
}

#[test]
fn a_new_member_takes_a_departed_members_work_during_the_delay() {
    let mut sim = Sim::new(work(&[("a", 2), ("b", 2)]), &["w1", "w2"]);
    sim.settle();
    let lost = sim.member("w2").tasks.clone();
    sim.leave("w2");
    sim.round();
    sim.join("w9");
    let out = sim.round();
    assert_eq!(
        out.members["w9"]
            .tasks
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>(),
        lost
    );
    sim.assert_balanced();
}

#[test]
fn a_member_leaving_while_work_is_held_adds_to_it_under_the_first_deadline() {
    let mut sim = Sim::new(work(&[("a", 6)]), &["w1", "w2", "w3"]);
    sim.settle();
    let w1_connectors = sim.member("w1").connectors.len();
    sim.leave("w3");
    sim.round();
    sim.now += Duration::from_secs(60);
    sim.leave("w2");
    let out = sim.round();
    assert_eq!(out.members["w1"].delay, Duration::from_secs(240));
    assert_eq!(sim.held(), 4 + 1 - w1_connectors);
    sim.now += Duration::from_secs(240);
    sim.settle();
    sim.assert_balanced();
    assert_eq!(sim.member("w1").tasks.len(), 6);
}

#[test]
fn deleted_connectors_and_tasks_are_revoked_and_the_rest_rebalanced() {
    let mut sim = Sim::new(work(&[("a", 3), ("b", 3)]), &["w1", "w2"]);
    sim.settle();
    let a_owner = sim
        .members
        .iter()
        .find(|m| m.connectors.contains("a"))
        .unwrap()
        .id
        .clone();
    sim.work = work(&[("b", 1)]);
    let out = sim.round();
    let revoked: usize = out.members.values().map(|a| a.revoked_tasks.len()).sum();
    assert_eq!(revoked, 5, "a-0..2 and b-1, b-2");
    assert!(out.members[&a_owner]
        .revoked_connectors
        .contains(&"a".to_string()));
    sim.settle();
    sim.assert_balanced();
}

#[test]
fn a_task_count_increase_adds_tasks_to_the_least_loaded() {
    let mut sim = Sim::new(work(&[("a", 2)]), &["w1", "w2", "w3"]);
    sim.settle();
    sim.work = work(&[("a", 5)]);
    let out = sim.round();
    assert!(out.members.values().all(|a| a.revoked_tasks.is_empty()));
    sim.assert_balanced();
    assert_eq!(sim.settle(), 1);
}

#[test]
fn a_task_claimed_by_two_members_stays_with_one() {
    let mut sim = Sim::new(work(&[("a", 2)]), &["w1", "w2"]);
    sim.settle();
    // w2 reports a stale allocation that includes w1's task.
    let w1_task = sim.member("w1").tasks.iter().next().unwrap().clone();
    sim.members[1].tasks.insert(w1_task.clone());
    let out = sim.round();
    assert_eq!(out.members["w2"].revoked_tasks, vec![w1_task.clone()]);
    assert!(
        out.members["w1"].revoked_tasks.is_empty(),
        "the last owner keeps it"
    );
    sim.assert_balanced();
}

#[test]
fn work_given_last_round_and_missing_from_the_metadata_is_given_again_to_the_same_member() {
    let mut sim = Sim::new(work(&[("a", 4)]), &["w1"]);
    sim.settle();
    sim.join("w2");
    sim.settle();
    // w2's metadata predates the round that gave it its tasks (or it never received them),
    // round after round: they are given to it again each time, never to anyone else.
    let given = sim.member("w2").tasks.clone();
    assert_eq!(given.len(), 2);
    for round in 0..4 {
        sim.members[1].tasks.clear();
        sim.members[1].connectors.clear();
        let out = sim.round();
        assert!(
            out.members["w1"].tasks.is_empty(),
            "round {round}: w2's tasks handed to another member"
        );
        let again: BTreeSet<ConnectorTaskId> = out.members["w2"].tasks.iter().cloned().collect();
        assert_eq!(
            again, given,
            "round {round}: w2's tasks not given to it again"
        );
    }
    sim.assert_balanced();
}

#[test]
fn work_given_to_a_member_that_then_left_is_lost_not_given_again() {
    let mut sim = Sim::new(work(&[("a", 4)]), &["w1"]);
    sim.settle();
    sim.join("w2");
    sim.settle();
    sim.leave("w2");
    let out = sim.round();
    assert!(out.members["w1"].tasks.len() <= 2, "held for the delay");
    assert_eq!(sim.held(), 2);
}

#[test]
fn without_memory_the_first_member_by_id_keeps_a_duplicate_and_nothing_is_held() {
    let members = vec![
        MemberAllocation {
            id: "b".into(),
            url: "u2".into(),
            connectors: ["x".to_string()].into(),
            tasks: [t("x", 0)].into(),
        },
        MemberAllocation {
            id: "a".into(),
            url: "u1".into(),
            connectors: ["x".to_string()].into(),
            tasks: [t("x", 0)].into(),
        },
    ];
    let out = assign(AssignInput {
        members: &members,
        work: &work(&[("x", 2)]),
        memory: &LeaderMemory::default(),
        max_delay: DELAY,
        now: Instant::now(),
    });
    assert_eq!(out.members["b"].revoked_connectors, vec!["x".to_string()]);
    assert_eq!(out.members["b"].revoked_tasks, vec![t("x", 0)]);
    assert!(out.members["a"].revoked_tasks.is_empty());
    // x-1 is unowned: the least loaded (b, now running nothing) gets it.
    assert_eq!(out.members["b"].tasks, vec![t("x", 1)]);
    assert!(!out.memory.holds_work());
}

#[test]
fn a_new_leader_without_memory_assigns_unowned_work_at_once() {
    let members = vec![MemberAllocation {
        id: "w1".into(),
        url: "u1".into(),
        connectors: ["a".to_string()].into(),
        tasks: [t("a", 0)].into(),
    }];
    let out = assign(AssignInput {
        members: &members,
        work: &work(&[("a", 2)]),
        memory: &LeaderMemory::default(),
        max_delay: DELAY,
        now: Instant::now(),
    });
    assert_eq!(out.members["w1"].tasks, vec![t("a", 1)]);
    assert!(out.members["w1"].delay.is_zero());
}

#[test]
fn tasks_of_one_connector_are_spread_over_members() {
    let mut sim = Sim::new(work(&[("a", 3), ("b", 3)]), &["w1", "w2", "w3"]);
    sim.settle();
    for m in &sim.members {
        let of_a = m.tasks.iter().filter(|t| t.connector == "a").count();
        assert_eq!(of_a, 1, "{m:?}");
    }
}

#[test]
fn no_members_and_no_work_are_fine() {
    let out = assign(AssignInput {
        members: &[],
        work: &work(&[("a", 2)]),
        memory: &LeaderMemory::default(),
        max_delay: DELAY,
        now: Instant::now(),
    });
    assert!(out.members.is_empty());
    let mut sim = Sim::new(work(&[]), &["w1", "w2"]);
    assert_eq!(sim.settle(), 1);
    sim.assert_balanced();
}

#[test]
fn many_joins_and_leaves_always_settle_balanced() {
    let mut sim = Sim::new(
        work(&[("a", 7), ("b", 5), ("c", 1), ("d", 0), ("e", 3)]),
        &["w1"],
    );
    sim.max_delay = Duration::ZERO;
    let steps: &[(&str, bool)] = &[
        ("w2", true),
        ("w3", true),
        ("w4", true),
        ("w2", false),
        ("w5", true),
        ("w1", false),
        ("w6", true),
        ("w3", false),
    ];
    for (id, joins) in steps {
        if *joins {
            sim.join(id);
        } else {
            sim.leave(id);
        }
        sim.settle();
        sim.assert_balanced();
    }
}
