typedef int baselines_placeholder_;
