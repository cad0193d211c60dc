//! The aggregated structure of a plan: per-child weekly costs of block, local and distant
//! beds, demand groups, offer pools and the (group, pool) pairs between them.

use super::*;

/// Weekly costs of a segment's three ways of being placed, and where they leave a child.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Costs {
    pub(super) local: f64,
    pub(super) distant: f64,
    pub(super) local_money: f64,
    pub(super) distant_money: f64,
    pub(super) local_within: bool,
    pub(super) distant_within: bool,
}

pub(super) fn distance_term(plan: &Plan, km: f64) -> f64 {
    (plan.policy.per_km * (km - plan.policy.free_km).max(0.0) * 100.0).round() / 100.0
}

pub(super) fn spot_costs(plan: &Plan, seg: &SegmentSpec) -> Costs {
    let s = plan.spot_for(seg);
    let q = plan.policy.ofsted_cost(s.ofsted);
    Costs {
        local: s.price + distance_term(plan, s.local_km) + q,
        distant: s.distant_price + distance_term(plan, s.distant_km) + plan.policy.out_of_area + q,
        local_money: s.price,
        distant_money: s.distant_price,
        local_within: s.local_km <= 32.0,
        distant_within: s.distant_km <= 32.0,
    }
}

/// The per-week cost of one of the segment's children in one of the offer's beds (its
/// price excluded: block beds are paid in the first stage), or None when ineligible.
pub(super) fn pair_cost(plan: &Plan, seg: &SegmentSpec, o: &OfferSpec) -> Option<(f64, f64)> {
    if o.kind != seg.kind || (!o.serves.is_empty() && !o.serves.contains(&seg.la)) {
        return None;
    }
    if o.age_min.is_some_and(|a| seg.age_min < a) || o.age_max.is_some_and(|a| seg.age_max > a) {
        return None;
    }
    let p = &plan.policy;
    let mut unmet = 0;
    for ind in Indicator::ALL {
        let need = seg.needs.get(&ind).copied().unwrap_or(0);
        let support = o.support.get(&ind).copied().unwrap_or(1);
        if need - support >= p.max_need_shortfall {
            return None;
        }
        unmet += (need - support).max(0);
    }
    let d = km(seg.lat, seg.lon, o.lat, o.lon);
    if p.max_distance_km.is_some_and(|m| d > m) {
        return None;
    }
    let ooa = if o.la != seg.la { p.out_of_area } else { 0.0 };
    Some((
        distance_term(plan, d) + ooa + p.ofsted_cost(o.ofsted) + p.unmet_need * unmet as f64,
        d,
    ))
}

/// The aggregated structure: groups, pools and their pairs.
#[derive(Debug, Clone)]
pub struct Structure {
    /// Group of each segment.
    pub seg_group: Vec<usize>,
    pub(super) groups: Vec<Group>,
    /// Offers of each pool.
    pub pools: Vec<Vec<usize>>,
    pub(super) pool_weeks: Vec<u32>,
    pub(super) pool_la: Vec<String>,
    /// Component of each group and of each pool: the second stage separates into
    /// independent problems along them (one per placement type, usually).
    pub(super) group_comp: Vec<usize>,
    pub(super) pool_comp: Vec<usize>,
    /// Number of components.
    pub components: usize,
}

#[derive(Debug, Clone)]
pub(super) struct Group {
    pub(super) la: String,
    pub(super) costs: Costs,
    /// (pool, cost per week, within 32 km).
    pub(super) pairs: Vec<(usize, f64, bool)>,
}

/// Groups segments and pools offers (see the module docs).
pub fn structure(plan: &Plan) -> Structure {
    // Pools: offers whose second-stage behaviour is identical.
    let mut pool_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut pools: Vec<Vec<usize>> = Vec::new();
    let mut pool_weeks = Vec::new();
    let mut pool_la = Vec::new();
    for (i, o) in plan.offers.iter().enumerate() {
        let key = format!(
            "{:?}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
            o.kind, o.lat, o.lon, o.la, o.age_min, o.age_max, o.support, o.ofsted, o.serves, o.contract_weeks
        );
        let p = *pool_key.entry(key).or_insert_with(|| {
            pools.push(Vec::new());
            pool_weeks.push(o.contract_weeks);
            pool_la.push(o.la.clone());
            pools.len() - 1
        });
        pools[p].push(i);
    }
    let mut group_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut seg_group = Vec::new();
    for seg in &plan.segments {
        let costs = spot_costs(plan, seg);
        let mut pairs = Vec::new();
        for (p, offers) in pools.iter().enumerate() {
            if let Some((c, d)) = pair_cost(plan, seg, &plan.offers[offers[0]]) {
                pairs.push((p, c, d <= 32.0));
            }
        }
        let key = format!("{}|{:?}|{:?}|{:?}", seg.la, seg.kind, costs, pairs);
        let g = *group_key.entry(key).or_insert_with(|| {
            groups.push(Group {
                la: seg.la.clone(),
                costs,
                pairs,
            });
            groups.len() - 1
        });
        seg_group.push(g);
    }
    // Components of the group–pool graph (union-find; groups first, then pools).
    let (gn, pn) = (groups.len(), pools.len());
    let mut parent: Vec<usize> = (0..gn + pn).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (g, grp) in groups.iter().enumerate() {
        for &(p, _, _) in &grp.pairs {
            let (a, b) = (find(&mut parent, g), find(&mut parent, gn + p));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut comp_of_root: BTreeMap<usize, usize> = BTreeMap::new();
    let mut comp = vec![0; gn + pn];
    for (x, c) in comp.iter_mut().enumerate() {
        let r = find(&mut parent, x);
        let next = comp_of_root.len();
        *c = *comp_of_root.entry(r).or_insert(next);
    }
    Structure {
        seg_group,
        groups,
        pools,
        pool_weeks,
        pool_la,
        group_comp: comp[..gn].to_vec(),
        pool_comp: comp[gn..].to_vec(),
        components: comp_of_root.len(),
    }
}
