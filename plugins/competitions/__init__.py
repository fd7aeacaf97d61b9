"""知识竞赛 (competitions) plugin: 知识竞赛、有奖问答和评比."""
