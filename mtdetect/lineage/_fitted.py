"""Fitted by scripts/experiments/lineage_fit.py (do not edit by hand).

Multinomial logistic regression (StandardScaler + LogisticRegression, C=1) over the
alignment features of a linked pair, fitted on clusters built from train-split originals
(Apertium spa/cat and Bergamot pt round trips, simulated copies and rewrites).
"""

import numpy as np

FEATURES = ('share_min', 'share_max', 'mean_sim', 'identical', 'substitution', 'reorder', 'merges', 'names_kept', 'numbers_kept', 'findings_max', 'findings_diff', 'length_ratio')
CLASSES = ('copy', 'machine_translated_copy', 'rewrite')
MEAN = np.array([0.90615, 0.96574, 0.872101, 0.339732, 0.160023, 0.093458, 0.018835, 0.9198, 0.977074, 0.095687, 0.095211, 0.918336])
SCALE = np.array([0.168384, 0.076331, 0.104157, 0.402621, 0.131046, 0.22939, 0.054296, 0.104719, 0.104371, 0.188791, 0.188844, 0.137012])
COEF = np.array([[0.505215, 0.455733, 0.711721, 1.461322, -1.023422, -0.418992, -0.318372, 0.291466, 0.015464, 0.010117, 0.009129, 0.499306], [0.453453, -0.148028, -1.153256, -1.313659, 1.24568, -0.513758, 0.190567, -0.509356, -0.088393, 0.12917, 0.101459, 0.569492], [-0.958668, -0.307705, 0.441535, -0.147663, -0.222258, 0.93275, 0.127805, 0.21789, 0.072929, -0.139287, -0.110589, -1.068798]])
INTERCEPT = np.array([-1.965288, 2.535289, -0.570001])
#: Pairwise direction model: log-odds that a comparison's source side is the original.
DIRECTION_FEATURES = ("dir_p_mt", "dir_findings", "dir_names", "dir_unaligned", "dir_length")
DIRECTION_COEF = np.array([6.801212, 0.178406, 0.050945, 4.91616, 5.967348])
#: Gap between the two best summed log-odds below which the likely original is not named.
DIRECTION_MARGIN = 0.053
