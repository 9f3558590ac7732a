"""Fitted by scripts/experiments/lineage_fit.py (do not edit by hand).

Multinomial logistic regression (StandardScaler + LogisticRegression, C=1) over the
alignment features of a linked pair, fitted on clusters built from train-split originals
(Apertium spa/cat and Bergamot pt round trips, simulated copies and rewrites).
"""

import numpy as np

FEATURES = ('share_min', 'share_max', 'mean_sim', 'identical', 'substitution', 'reorder', 'merges', 'names_kept', 'numbers_kept', 'findings_max', 'findings_diff', 'length_ratio')
CLASSES = ('copy', 'machine_translated_copy', 'rewrite')
MEAN = np.array([0.90615, 0.96574, 0.872101, 0.339732, 0.160023, 0.093458, 0.018835, 0.9198, 0.977074, 0.069741, 0.069265, 0.918336])
SCALE = np.array([0.168384, 0.076331, 0.104157, 0.402621, 0.131046, 0.22939, 0.054296, 0.104719, 0.104371, 0.148244, 0.148228, 0.137012])
COEF = np.array([[0.505278, 0.455876, 0.711671, 1.462218, -1.020879, -0.419562, -0.318356, 0.290926, 0.0154, 0.008545, 0.007342, 0.499197], [0.452895, -0.147451, -1.153717, -1.314312, 1.245048, -0.513137, 0.190082, -0.509596, -0.092789, 0.130454, 0.09643, 0.569557], [-0.958172, -0.308424, 0.442045, -0.147907, -0.224169, 0.932699, 0.128274, 0.218669, 0.077389, -0.138999, -0.103772, -1.068754]])
INTERCEPT = np.array([-1.966894, 2.527739, -0.560846])
#: Pairwise direction model: log-odds that a comparison's source side is the original.
DIRECTION_FEATURES = ("dir_p_mt", "dir_findings", "dir_names", "dir_unaligned", "dir_length")
DIRECTION_COEF = np.array([9.404306, 0.365296, -0.408312, 4.803444, 6.098223])
#: Gap between the two best summed log-odds below which the likely original is not named.
DIRECTION_MARGIN = 0.433
