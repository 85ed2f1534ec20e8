/* placeholder until the harness modules land */
typedef int hx_placeholder_;
