//! Children: ages, sibling groups, needs, risks, urgency and wishes, each child from its own
//! stream; and the weekly budgets of their authorities.

use super::*;

/// Relative frequency of each age 0–17 among referrals: skewed to teenagers.
pub(super) const AGE_WEIGHTS: [u32; 18] = [6, 3, 3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 9, 10, 11, 10, 6];

pub(super) fn draw_age(rng: &mut ChaCha8Rng) -> i64 {
    let mut r = rng.gen_range(0..AGE_WEIGHTS.iter().sum::<u32>());
    for (age, &w) in AGE_WEIGHTS.iter().enumerate() {
        if r < w {
            return age as i64;
        }
        r -= w;
    }
    17
}

/// A planned sibling group: its id, members' ages and whether it may be split.
pub(super) struct Group {
    pub(super) id: String,
    pub(super) ages: Vec<i64>,
    pub(super) split: bool,
}

pub(super) fn gen_children(opts: &GenOptions, idx: &Index) -> Vec<Child> {
    let n = opts.children;
    // Siblings are planned first on their own stream: which children form a group, and their ages.
    let mut member: Vec<Option<(usize, usize)>> = vec![None; n]; // (group, position)
    let mut groups: Vec<Group> = Vec::new();
    if opts.siblings {
        let mut rng = stream(opts.seed, SIBLING_STREAM);
        let mut i = 0;
        while i < n {
            let r: f64 = rng.gen();
            let size = pick(&mut rng, &[(2, 70), (3, 30)]);
            if r < 0.045 && i + size <= n {
                let first = draw_age(&mut rng);
                let mut ages = vec![first];
                for _ in 1..size {
                    let gap = rng.gen_range(1..=5) * if chance(&mut rng, 0.5) { 1 } else { -1 };
                    ages.push((first + gap).clamp(0, 17));
                }
                let split = chance(&mut rng, 0.15);
                for (k, m) in member.iter_mut().skip(i).take(size).enumerate() {
                    *m = Some((groups.len(), k));
                }
                groups.push(Group {
                    id: format!("S{:03}", groups.len() + 1),
                    ages,
                    split,
                });
                i += size;
            } else {
                i += 1;
            }
        }
    }

    let width = 4.max(n.to_string().len());
    let mut children: Vec<Child> = Vec::with_capacity(n);
    let mut anchor: Vec<usize> = Vec::with_capacity(groups.len());
    for (i, &member) in member.iter().enumerate() {
        let mut rng = stream(opts.seed, CHILD_STREAM + i as u64);
        let forced_age = member.map(|(g, k)| groups[g].ages[k]);
        let mut c = gen_child(&mut rng, idx, opts.region, forced_age);
        c.id = format!("C{:0width$}", i + 1);
        if let Some((g, k)) = member {
            let group = &groups[g];
            if k == 0 {
                anchor.push(i);
            } else {
                let a = &children[anchor[g]];
                c.location = a.location.clone();
                c.la = a.la.clone();
                c.urgency = a.urgency;
                c.waiting_days = a.waiting_days;
                c.max_distance_km = a.max_distance_km;
                c.exclusion_zones = a.exclusion_zones.clone();
                c.languages = a.languages.clone();
            }
            c.min_distance_km = None;
            c.secure_order = false;
            c.step_across = None;
            c.budget_cap = None;
            c.incompatible_risks.clear();
            c.placement_types = if group.ages.iter().all(|&a| a >= 11) {
                vec![PlacementType::Foster, PlacementType::Residential]
            } else {
                vec![PlacementType::Foster]
            };
            c.sibling_group = Some(group.id.clone());
            if group.split && k == 0 {
                c.keep_together = Some(false);
            }
        }
        children.push(c);
    }

    if opts.solo {
        let mut rng = stream(opts.seed, SOLO_STREAM);
        for c in &mut children {
            let r: f64 = rng.gen();
            let p = if c.age >= 11 { 0.04 } else { 0.015 };
            if r < p && c.sibling_group.is_none() && !c.secure_order {
                c.requires_solo = true;
            }
        }
    }
    if opts.conflicts {
        const AVOID: [(Risk, u32); 7] = [
            (Risk::HarmfulSexualBehaviour, 3),
            (Risk::HarmToOthers, 3),
            (Risk::Cce, 2),
            (Risk::Cse, 1),
            (Risk::SubstanceMisuse, 1),
            (Risk::FireSetting, 1),
            (Risk::Missing, 1),
        ];
        let mut rng = stream(opts.seed, CONFLICT_STREAM);
        for c in &mut children {
            let r: f64 = rng.gen();
            let two = chance(&mut rng, 0.3);
            let first = pick(&mut rng, &AVOID);
            let second = pick(&mut rng, &AVOID);
            let p = if c.age >= 11 { 0.16 } else { 0.06 };
            if r < p && c.sibling_group.is_none() {
                let mut set = BTreeSet::from([first]);
                if two {
                    set.insert(second);
                }
                c.incompatible_risks = set.into_iter().filter(|x| !c.risks.contains(x)).collect();
            }
        }
    }
    children
}

pub(super) fn gen_child(rng: &mut ChaCha8Rng, idx: &Index, region: Option<Region>, forced_age: Option<i64>) -> Child {
    use Indicator::*;
    use PlacementType::*;
    let sector = match region {
        Some(r) => idx.by_region[r as usize][rng.gen_range(0..idx.by_region[r as usize].len())],
        None => rng.gen_range(0..idx.len()),
    };
    let age = draw_age(rng);
    let age = forced_age.unwrap_or(age);
    let sex = if chance(rng, 0.5) { Sex::Female } else { Sex::Male };
    let teen = age >= 13;

    // Needs: most indicators absent (0), a few 1–3, more for teenagers.
    let mut needs = BTreeMap::new();
    for ind in Indicator::ALL {
        let p = match (age, ind) {
            (0..=4, PhysicalHealth) => 0.15,
            (0..=4, LearningDisability | Relationships) => 0.12,
            (0..=4, _) => 0.05,
            (_, EmotionalHealth) => 0.45,
            (_, SelfRegulation | Education | Relationships) => 0.35,
            (12.., RiskyBehaviour) => 0.35,
            _ => 0.12,
        };
        if chance(rng, p) {
            needs.insert(ind, pick(rng, &[(1, 50), (2, 36), (3, 14)]));
        }
    }

    // Risks: common for teenagers, rare for young children.
    let scale = if teen {
        1.0
    } else if age >= 10 {
        0.4
    } else {
        0.0
    };
    let female = sex == Sex::Female;
    let risk_p = [
        (Risk::Cse, if female { 0.20 } else { 0.07 } * scale),
        (Risk::Cce, if female { 0.07 } else { 0.18 } * scale),
        (Risk::Missing, 0.32 * scale),
        (Risk::SelfHarm, if female { 0.20 } else { 0.10 } * scale),
        (Risk::HarmToOthers, 0.12 * scale + if age >= 5 { 0.03 } else { 0.0 }),
        (
            Risk::HarmfulSexualBehaviour,
            0.03 * scale + if age >= 7 { 0.01 } else { 0.0 },
        ),
        (Risk::FireSetting, 0.02 * scale + if age >= 7 { 0.005 } else { 0.0 }),
        (Risk::SubstanceMisuse, if age >= 15 { 0.15 } else { 0.05 } * scale),
    ];
    let risks: Vec<Risk> = risk_p
        .iter()
        .filter_map(|&(r, p)| chance(rng, p).then_some(r))
        .collect();

    let urgency = pick(
        rng,
        &[(Urgency::Emergency, 15), (Urgency::Urgent, 35), (Urgency::Planned, 50)],
    );
    let waiting_days = match urgency {
        Urgency::Emergency => rng.gen_range(0..=2),
        Urgency::Urgent => rng.gen_range(0..=14),
        Urgency::Planned => rng.gen_range(0..=30),
    };

    // Placement plan, in the order of preference of s22C.
    let secure_order = age >= 12 && chance(rng, 0.015);
    let placement_types: Vec<PlacementType> = if secure_order {
        pick(rng, &[(&[Secure][..], 60), (&[Secure, Residential][..], 40)]).to_vec()
    } else if age == 0 && chance(rng, 0.25) {
        vec![ParentAndChild, Foster]
    } else if age >= 16 && female && chance(rng, 0.04) {
        vec![ParentAndChild, Supported]
    } else if age < 11 {
        if age >= 8 && chance(rng, 0.08) {
            vec![Foster, Residential]
        } else {
            vec![Foster]
        }
    } else if age < 16 {
        pick(
            rng,
            &[
                (&[Foster, Residential][..], 50),
                (&[Residential, Foster][..], 20),
                (&[Foster][..], 22),
                (&[Residential][..], 8),
            ],
        )
        .to_vec()
    } else {
        pick(
            rng,
            &[
                (&[Foster, Supported][..], 20),
                (&[Supported][..], 15),
                (&[Supported, Foster][..], 20),
                (&[Foster, Residential, Supported][..], 20),
                (&[Residential, Supported][..], 10),
                (&[Foster, Residential][..], 15),
            ],
        )
        .to_vec()
    };

    let max_distance_km = chance(rng, 0.2).then(|| (rng.gen_range(8..=24) * 5) as f64);
    let exploited = risks.contains(&Risk::Cse) || risks.contains(&Risk::Cce);
    let min_distance_km = (exploited && chance(rng, 0.08))
        .then(|| (rng.gen_range(3..=8) * 5) as f64)
        .filter(|&m| max_distance_km.is_none_or(|x| m < x));

    let mut exclusion_zones = Vec::new();
    if chance(rng, if exploited { 0.35 } else { 0.02 }) {
        if chance(rng, 0.65) {
            if let Some(c) = idx.nearby(rng, sector, 2.0, 25.0) {
                let r = rng.gen_range(3..=10) as f64;
                exclusion_zones.push(ExclusionZone {
                    center: Some(idx.location(c)),
                    radius_km: Some(r),
                    la: None,
                });
            }
        } else {
            let la = if chance(rng, 0.5) {
                idx.neighbour_la(rng, sector)
            } else {
                None
            };
            let la = la.unwrap_or_else(|| idx.utla[sector].clone());
            exclusion_zones.push(ExclusionZone {
                center: None,
                radius_km: None,
                la: Some(la),
            });
        }
    }

    let step_across =
        (age >= 11 && placement_types.contains(&Residential) && chance(rng, 0.35)).then_some(StepAcross { to: Foster });
    let budget_cap = if chance(rng, 0.10) {
        match placement_types[0] {
            Foster => Some((rng.gen_range(16..=20) * 50) as f64),
            Residential => Some((rng.gen_range(9..=13) * 500) as f64),
            Supported => Some((rng.gen_range(9..=15) * 100) as f64),
            ParentAndChild => Some(1800.0),
            Secure => None,
        }
    } else {
        None
    };
    let languages: Vec<String> = if chance(rng, 0.08) {
        let l = LANGS.choose(rng).unwrap().to_string();
        if chance(rng, 0.6) {
            vec!["en".into(), l]
        } else {
            vec![l]
        }
    } else {
        vec![]
    };
    let min_ofsted = chance(rng, 0.06).then_some(Ofsted::Good);
    let la = chance(rng, 0.9).then(|| idx.utla[sector].clone());

    Child {
        id: String::new(),
        la,
        location: idx.location(sector),
        age,
        sex: Some(sex),
        placement_types,
        needs,
        risks,
        incompatible_risks: vec![],
        urgency,
        waiting_days,
        sibling_group: None,
        keep_together: None,
        requires_solo: false,
        secure_order,
        max_distance_km,
        min_distance_km,
        exclusion_zones,
        step_across,
        budget_cap,
        languages,
        min_ofsted,
    }
}

/// A weekly budget per responsible authority: about 85% of what its children would cost at
/// typical prices for their first-choice type, so most (not all) can be placed.
pub(super) fn budgets(opts: &GenOptions, children: &[Child], idx: &Index) -> PolicyInput {
    let mut rng = stream(opts.seed, BUDGET_STREAM);
    let mut need: BTreeMap<String, f64> = BTreeMap::new();
    for c in children {
        let la = match &c.la {
            Some(l) => l.clone(),
            None => {
                let pc = c.location.postcode.as_deref().unwrap_or_default();
                idx.geo.place_of_postcode(pc).map(|p| p.utla).unwrap_or_default()
            }
        };
        let typical = match c.placement_types.first() {
            Some(PlacementType::Foster) | None => 650.0,
            Some(PlacementType::Residential) => 4800.0,
            Some(PlacementType::Secure) => 7000.0,
            Some(PlacementType::Supported) => 650.0,
            Some(PlacementType::ParentAndChild) => 1600.0,
        };
        *need.entry(la).or_default() += typical;
    }
    let weekly: BTreeMap<String, f64> = need
        .into_iter()
        .map(|(la, v)| {
            let f = rng.gen_range(0.75..1.0);
            (la, ((v * f) / 100.0).ceil() * 100.0)
        })
        .collect();
    PolicyInput {
        weekly_budget: Some(BudgetInput::PerAuthority(weekly)),
        ..Default::default()
    }
}
