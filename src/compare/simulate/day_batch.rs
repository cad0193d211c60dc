//! The batches a run builds: the day's waiting children and free homes as an instance, the
//! whole stock of homes for the look-ahead forecast, and which placements take block beds.

use super::engine::{HomeState, Status};
use super::*;

/// Which assigned children take block beds: at each home, the most urgent first, then by id
/// (as the checker counts them), up to its block vacancies.
pub(super) fn block_beds_taken(inst: &Instance, assignment: &[Option<usize>], n: usize) -> Vec<bool> {
    let mut at_home: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (bi, a) in assignment.iter().enumerate() {
        if let Some(hi) = a {
            at_home.entry(*hi).or_default().push(bi);
        }
    }
    let mut block = vec![false; n];
    for (hi, list) in &mut at_home {
        let cs = &inst.batch.children;
        list.sort_by(|&a, &b| (cs[a].urgency, &cs[a].id).cmp(&(cs[b].urgency, &cs[b].id)));
        for &bi in list.iter().take(inst.batch.homes[*hi].block_vacancies.max(0) as usize) {
            block[bi] = true;
        }
    }
    block
}

/// Every home of a replication, empty and without residents, as an instance without
/// children: what the look-ahead forecast judges its sample children against once per run.
pub(super) fn stock_instance(world: &World, r: &Replication) -> Instance {
    let mut homes = Vec::with_capacity(r.homes.len());
    let mut places = Vec::with_capacity(r.homes.len());
    for sh in &r.homes {
        let mut home = sh.home.clone();
        home.vacancies = sh.capacity as i64;
        home.occupied = 0;
        home.block_vacancies = sh.block_beds as i64;
        places.push(HomePlace::new(
            &home,
            sh.place.clone(),
            sh.la.clone(),
            sh.provider,
            sh.rating,
        ));
        homes.push(home);
    }
    Instance::new(
        Batch {
            format: crate::input::batch::BATCH_FORMAT.into(),
            batch_id: Some(format!("rep{}-stock", r.rep)),
            as_of: None,
            policy: world.scenario.policy.clone(),
            providers: world.scenario.providers.clone(),
            homes,
            children: Vec::new(),
            offers: Vec::new(),
            decisions: Vec::new(),
        },
        world.policy.clone(),
        Vec::new(),
        places,
    )
}

/// The day's batch as a located instance: the SPEC cost and eligibility apply unchanged.
#[allow(clippy::too_many_arguments)]
pub(super) fn day_instance(
    world: &World,
    r: &Replication,
    homes: &[HomeState],
    status: &[Option<Status>],
    urgency: &[Urgency],
    reduced: &[bool],
    kids: &[(usize, bool)],
    open: &[usize],
    d: usize,
) -> Instance {
    let mut children = Vec::with_capacity(kids.len());
    let mut places = Vec::with_capacity(kids.len());
    for &(c, mover) in kids {
        let a = &r.arrivals[c];
        let mut child = a.child.clone();
        if reduced[c] {
            let by = world.scenario.segments[a.segment]
                .step_across
                .as_ref()
                .map_or(0, |p| p.needs_reduce_by);
            for level in child.needs.values_mut() {
                *level = (*level - by).max(0);
            }
        }
        match status[c] {
            Some(Status::Placed(s)) if mover => {
                // A step-across move: only the target type, planned, waiting since ready.
                let to = child.step_across.take().expect("movers have a plan").to;
                child.placement_types = vec![to];
                child.urgency = Urgency::Planned;
                child.waiting_days = (d - s.ready.expect("ready")) as i64;
            }
            Some(Status::Waiting { since }) => {
                child.urgency = urgency[c];
                child.waiting_days = (d - since) as i64;
            }
            _ => unreachable!("only waiting children and movers are batched"),
        }
        children.push(child);
        places.push(a.place.clone());
    }
    let mut batch_homes = Vec::with_capacity(open.len());
    let mut home_places = Vec::with_capacity(open.len());
    for &h in open {
        let sh = &r.homes[h];
        let st = &homes[h];
        let mut home = sh.home.clone();
        let occupied = st.outside_leave.len() + st.residents.len();
        home.vacancies = (sh.capacity - occupied) as i64;
        home.occupied = occupied as i64;
        home.block_vacancies = (sh.block_beds - st.block_used) as i64;
        // Regulation 14: the scenario's own residents bring their risks into the home.
        for &c in &st.residents {
            let ch = &r.arrivals[c].child;
            home.resident_risks.extend(ch.risks.iter().copied());
            home.incompatible_risks.extend(ch.incompatible_risks.iter().copied());
        }
        home.resident_risks.sort();
        home.resident_risks.dedup();
        home.incompatible_risks.sort();
        home.incompatible_risks.dedup();
        home_places.push(HomePlace::new(
            &home,
            sh.place.clone(),
            sh.la.clone(),
            sh.provider,
            sh.rating,
        ));
        batch_homes.push(home);
    }
    Instance::new(
        Batch {
            format: crate::input::batch::BATCH_FORMAT.into(),
            batch_id: Some(format!("rep{}-day{}", r.rep, d + 1)),
            as_of: None,
            policy: world.scenario.policy.clone(),
            providers: world.scenario.providers.clone(),
            homes: batch_homes,
            children,
            offers: Vec::new(),
            decisions: Vec::new(),
        },
        world.policy.clone(),
        places,
        home_places,
    )
}
