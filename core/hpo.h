// hpo's public C++ API in one include: studies, trials, distributions, the factory that
// builds samplers, pruners and storages by name, and parameter importance (PED-ANOVA).
#pragma once

#include "core/distribution.h"
#include "core/errors.h"
#include "core/factory.h"
#include "core/frozen_trial.h"
#include "core/pruner.h"
#include "core/sampler.h"
#include "core/search_space.h"
#include "core/storage.h"
#include "core/study.h"
#include "core/study_view.h"
#include "core/trial.h"
#include "importance/ped_anova.h"
