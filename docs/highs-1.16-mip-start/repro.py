"""HiGHS 1.16.0: a feasible MIP start makes the MIP report a wrong optimum.

Run with `pip install highspy==1.16.0` then `python3 repro.py`. Prints the status, HiGHS's
objective and the objective recomputed from its own solution, with and without the start.
"""
import os

import highspy

here = os.path.dirname(os.path.abspath(__file__))
for with_start in (False, True):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.readModel(os.path.join(here, "model.mps"))
    lp = h.getLp()
    if with_start:
        start = [0.0] * lp.num_col_
        for line in open(os.path.join(here, "start.txt")):
            col, value = line.split()
            start[int(col)] = float(value)
        sol = highspy.HighsSolution()
        sol.col_value = start
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    x = h.getSolution().col_value
    recomputed = sum(c * v for c, v in zip(lp.col_cost_, x)) + lp.offset_
    print(
        f"start={with_start}: {h.modelStatusToString(h.getModelStatus())}, "
        f"objective {h.getInfo().objective_function_value}, its solution's {recomputed:.2f}, "
        f"dual bound {h.getInfo().mip_dual_bound}"
    )
